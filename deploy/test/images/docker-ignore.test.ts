import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDockerIgnore, parseDockerIgnore } from '../../images/docker-ignore.ts';

/** The repository root: the build context of both images. */
const REPO_ROOT = join(import.meta.dirname, '../../..');

describe('.dockerignore', () => {
  it('sends the sources the images build from and nothing else', async () => {
    const ignore = await loadDockerIgnore(REPO_ROOT);
    for (const sent of [
      'package.json',
      'package-lock.json',
      'apps/api/src/server.ts',
      'apps/web/nginx/default.conf',
      'deploy/images/healthcheck.mjs',
    ]) {
      expect(ignore.excludes(sent), sent).toBe(false);
    }
    for (const leftOut of [
      'node_modules/fastify/package.json',
      'apps/api/node_modules/x/index.js',
      'apps/api/dist/server.js',
      'apps/api/test/lists.test.ts',
      'apps/api/data/pg/PG_VERSION',
      'apps/web/.env.local',
      '.git/config',
      'infra/cdk.out/manifest.json',
      'deploy/local/topology.ts',
      'README.md',
    ]) {
      expect(ignore.excludes(leftOut), leftOut).toBe(true);
    }
  });

  it('matches as Docker does: segments, **, exceptions, the last match wins', () => {
    const ignore = parseDockerIgnore(
      '*\n!keep/\nkeep/**/*.log\n!keep/important.log\n# comment\n?.txt',
    );
    expect(ignore.excludes('other/file')).toBe(true);
    expect(ignore.excludes('keep/a/b.txt')).toBe(false);
    expect(ignore.excludes('keep/a/b/c.log')).toBe(true);
    expect(ignore.excludes('keep/c.log')).toBe(true);
    expect(ignore.excludes('keep/important.log')).toBe(false);
    expect(ignore.excludes('a.txt')).toBe(true);
  });
});
