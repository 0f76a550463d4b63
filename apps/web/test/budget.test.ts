// The size budget of the first load (issue: JavaScript ≤ 15 kB gzipped, everything ≤ 40 kB
// gzipped), measured on the built app as nginx sends it (the pre-compressed files).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DIST, requireBuiltApp } from './support/built-app.ts';

const KB = 1000;

/** What a first visit downloads: the page, what it references, and the favicon. */
function firstLoad(): { path: string; gzipped: number }[] {
  requireBuiltApp();
  const html = readFileSync(`${DIST}/index.html`, 'utf8');
  const referenced = [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]!);
  return ['index.html', ...referenced].map((path) => {
    const content = readFileSync(`${DIST}/${path}`);
    return { path, gzipped: gzipSync(content, { level: 9 }).length };
  });
}

describe('first-load budget', () => {
  it('loads one script, one stylesheet and the favicon besides the page', () => {
    const paths = firstLoad().map((f) => f.path);
    expect(paths.filter((p) => p.endsWith('.js'))).toHaveLength(1);
    expect(paths.filter((p) => p.endsWith('.css'))).toHaveLength(1);
    expect(paths).toContain('favicon.svg');
  });

  it('keeps JavaScript within 15 kB gzipped', () => {
    const js = firstLoad()
      .filter((f) => f.path.endsWith('.js'))
      .reduce((sum, f) => sum + f.gzipped, 0);
    console.log(`JavaScript: ${(js / KB).toFixed(1)} kB gzipped`);
    expect(js).toBeGreaterThan(0);
    expect(js).toBeLessThanOrEqual(15 * KB);
  });

  it('keeps everything within 40 kB gzipped', () => {
    const files = firstLoad();
    const total = files.reduce((sum, f) => sum + f.gzipped, 0);
    console.log(
      `First load: ${files.map((f) => `${f.path} ${(f.gzipped / KB).toFixed(1)} kB`).join(', ')}`,
    );
    console.log(`First load total: ${(total / KB).toFixed(1)} kB gzipped`);
    expect(total).toBeLessThanOrEqual(40 * KB);
  });
});
