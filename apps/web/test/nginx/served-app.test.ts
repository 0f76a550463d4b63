// The built app as production serves it (nginx with the container's config, the API behind
// /api): it works under the Content-Security-Policy, and Lighthouse gives it 100 for
// accessibility, best practices and SEO. Performance is measured by `npm run lighthouse`
// and not asserted here: on a shared two-core machine its timing-based score varies.
import { createTestDatabase, findOrStartPostgres, type PostgresServer } from '@cloud-todo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLighthouse } from '../../scripts/lighthouse-run.ts';
import { startServedApp, type ServedApp } from '../../scripts/served-app.ts';
import type { ApiFixture } from '../support/api.ts';
import { requireBuiltApp } from '../support/built-app.ts';
import { startBrowser, type BrowserFixture } from '../support/browser.ts';
import { TodoPage } from '../support/todo-page.ts';

let app: ServedApp;
let browser: BrowserFixture;
let database: ApiFixture['database'] | undefined;
let server: PostgresServer | undefined;

beforeAll(async () => {
  requireBuiltApp();
  server = await findOrStartPostgres();
  database = await createTestDatabase(server.adminUrl, 'web');
  [app, browser] = await Promise.all([
    startServedApp({ databaseUrl: database.url }),
    startBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
  await server?.dispose?.();
});

describe('the app behind nginx', () => {
  it('works under the Content-Security-Policy, with nothing blocked and no console errors', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    await page.exposeFunction('reportViolation', (text: string) => problems.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        void (window as unknown as { reportViolation: (t: string) => void }).reportViolation(
          `CSP: ${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
    const todo = new TodoPage(page);
    await todo.goto(`${app.url}/`);
    await todo.add('buy some cheese');
    await todo.item(0).locator('.toggle').check();
    await todo.settled();
    await todo.reload();
    expect(await todo.titles()).toEqual(['buy some cheese']);
    expect(await todo.completedStates()).toEqual([true]);
    // The stylesheet applied (a blocked one would leave the default look).
    expect(
      await page.evaluate(() => getComputedStyle(document.querySelector('.todoapp h1')!).color),
    ).toBe('rgb(184, 63, 69)');
    expect(problems).toEqual([]);
  });

  it('scores 100 in Lighthouse for accessibility, best practices and SEO', async () => {
    const report = await runLighthouse(`${app.url}/`, {
      categories: ['accessibility', 'best-practices', 'seo'],
    });
    expect(report.shortfalls).toEqual([]);
    expect(report.scores).toEqual({ accessibility: 100, 'best-practices': 100, seo: 100 });
  }, 120_000);
});
