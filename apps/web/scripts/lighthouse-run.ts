// Lighthouse (npm `lighthouse`) on Debian's Chromium, with the flags that keep Chromium off
// a network this machine does not have.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHROMIUM_FLAGS,
  CHROMIUM_PATH,
  freePort,
  startProcess,
  waitForHttp,
} from '@cloud-todo/testkit';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface LighthouseReport {
  /** 0–100 per category run. */
  readonly scores: Partial<Record<Category, number>>;
  /** Lab metrics in milliseconds (CLS unitless), when performance was run. */
  readonly metrics: Record<string, number>;
  /** Scored audits below 1, to say why a category is below 100. */
  readonly shortfalls: readonly string[];
}

export interface LighthouseOptions {
  readonly categories?: readonly Category[];
  /** Lighthouse's desktop preset instead of the default (a throttled mobile device). */
  readonly desktop?: boolean;
}

export async function runLighthouse(
  url: string,
  options: LighthouseOptions = {},
): Promise<LighthouseReport> {
  const categories = options.categories ?? CATEGORIES;
  const port = await freePort();
  const profile = await mkdtemp(join(tmpdir(), 'cloud-todo-lighthouse-'));
  const chromium = startProcess(process.env.CHROME_PATH ?? CHROMIUM_PATH, [
    '--headless',
    ...CHROMIUM_FLAGS,
    `--remote-debugging-port=${port}`,
    `--user-data-dir=${profile}`,
    'about:blank',
  ]);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/json/version`, {
      process: chromium,
      timeoutMs: 30_000,
    });
    const result = await lighthouse(
      url,
      {
        port,
        logLevel: 'error',
        output: 'json',
        onlyCategories: [...categories],
      },
      // Lighthouse's own desktop preset: desktop screen, no CPU slowdown, a fast network.
      options.desktop ? desktopConfig : undefined,
    );
    if (!result) throw new Error('Lighthouse returned no result');
    const { lhr } = result;
    const scores: Partial<Record<Category, number>> = {};
    for (const category of categories) {
      const score = lhr.categories[category]?.score;
      if (score === null || score === undefined)
        throw new Error(`Lighthouse gave no ${category} score`);
      scores[category] = Math.round(score * 100);
    }
    const metrics: Record<string, number> = {};
    for (const id of [
      'first-contentful-paint',
      'largest-contentful-paint',
      'speed-index',
      'total-blocking-time',
      'cumulative-layout-shift',
    ]) {
      const value = lhr.audits[id]?.numericValue;
      if (value !== undefined) metrics[id] = Math.round(value * 1000) / 1000;
    }
    const shortfalls = Object.values(lhr.audits)
      .filter(
        (audit) => audit.scoreDisplayMode === 'binary' || audit.scoreDisplayMode === 'numeric',
      )
      .filter((audit) => audit.score !== null && audit.score < 1)
      .map((audit) => `${audit.id} (${audit.score}): ${audit.title}`);
    if (process.env.LIGHTHOUSE_DEBUG) {
      console.log('benchmarkIndex', lhr.environment.benchmarkIndex);
      for (const id of ['long-tasks', 'forced-reflow-insight']) {
        console.log(id, JSON.stringify(lhr.audits[id]?.details));
      }
    }
    return { scores, metrics, shortfalls };
  } finally {
    await chromium.stop('SIGTERM', 5_000);
    await rm(profile, { recursive: true, force: true });
  }
}
