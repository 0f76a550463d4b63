// `npm run restore -- --to <ISO time> | --latest [--stack <run folder>]`: point-in-time
// restore of the running stack's database; the API instances come back on it.
import { parseArgs } from 'node:util';
import { parseRestoreTarget, restoreReplica } from '../replica-restore.ts';
import { readStackState, restoreScope } from '../stack-state.ts';

const usage = `Usage: npm run restore -- (--to <ISO 8601 time> | --latest) [--stack <run folder>]

  --to TIME       restore to this instant, e.g. 2026-11-29T01:52:00Z (with a zone: Z or ±hh:mm)
  --latest        restore to the end of the archived WAL
  --stack DIR     the stack's run folder (default: the newest \`npm run stack\`)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      latest: { type: 'boolean', default: false },
      stack: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if ((values.to === undefined) === !values.latest) {
    console.error(`restore: give either --to <time> or --latest\n\n${usage}`);
    process.exit(2);
  }
  let target: Date | 'latest' = 'latest';
  try {
    if (!values.latest) target = parseRestoreTarget(values.to as string);
  } catch (error) {
    console.error(`restore: ${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  const scope = restoreScope(await readStackState(values.stack));
  await restoreReplica(scope, target, (line) => console.log(`restore: ${line}`));
}

main().catch((error: unknown) => {
  console.error(`restore: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
