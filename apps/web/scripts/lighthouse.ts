// `npm run lighthouse -w apps/web [-- --desktop]`: Lighthouse's four scores for the built app
// served as in production (nginx with the container's config, the API behind /api).
import { parseArgs } from 'node:util';
import { runLighthouse } from './lighthouse-run.ts';
import { startServedApp } from './served-app.ts';

const { values } = parseArgs({ options: { desktop: { type: 'boolean', default: false } } });
const app = await startServedApp();
try {
  const report = await runLighthouse(`${app.url}/`, { desktop: values.desktop });
  console.log(
    `Lighthouse (${values.desktop ? 'desktop' : 'mobile, simulated throttling'}) on ${app.url}/`,
  );
  for (const [category, score] of Object.entries(report.scores))
    console.log(`  ${category.padEnd(15)} ${score}`);
  for (const [metric, value] of Object.entries(report.metrics))
    console.log(`  ${metric.padEnd(25)} ${value}`);
  if (report.shortfalls.length > 0) {
    console.log('Audits below full marks:');
    for (const line of report.shortfalls) console.log(`  ${line}`);
  }
} finally {
  await app.stop();
}
