import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadDockerIgnore } from '../../images/docker-ignore.ts';
import { lintDockerfile } from '../../images/dockerfile-policy.ts';

const run = promisify(execFile);
/** The repository root: the build context of both images. */
const REPO_ROOT = join(import.meta.dirname, '../../..');
const DOCKERFILES = ['apps/api/Dockerfile', 'apps/web/Dockerfile'];

describe('Dockerfile lint', () => {
  it.each(DOCKERFILES)('%s has no findings', async (dockerfile) => {
    const text = await readFile(join(REPO_ROOT, dockerfile), 'utf8');
    const ignore = await loadDockerIgnore(REPO_ROOT);
    expect(lintDockerfile(text, { root: REPO_ROOT, ignore })).toEqual([]);
  });

  it.each(DOCKERFILES)('%s passes the dockerfile-utils command line', async (dockerfile) => {
    // The CLI exits non-zero on errors only and prints warnings too: silence is the pass.
    const bin = join(REPO_ROOT, 'node_modules/.bin/dockerfile-utils');
    const { stdout } = await run(process.execPath, [bin, 'lint', join(REPO_ROOT, dockerfile)]);
    expect(stdout.trim()).toBe('');
  });

  it('finds what is wrong in a careless Dockerfile', async () => {
    const careless = [
      'FROM node:latest',
      'MAINTAINER someone',
      'ADD . /app',
      'RUN npm install',
      'HEALTHCHECK --interva=30s CMD true',
      'CMD npm start',
    ].join('\n');
    const ignore = await loadDockerIgnore(REPO_ROOT);
    const findings = lintDockerfile(careless, { root: REPO_ROOT, ignore });
    expect(findings.join('\n')).toMatch(/MAINTAINER.*\(dockerfile-utils\)/);
    expect(findings.join('\n')).toMatch(/interva.*\(dockerfile-utils\)/);
    expect(findings.join('\n')).toMatch(/MAINTAINER is not checked by the lint/);

    const unpinned = [
      'FROM node:24 AS build',
      'RUN npm install',
      'FROM node:latest',
      'USER root',
      'CMD ["npm", "start"]',
    ].join('\n');
    const more = lintDockerfile(unpinned, { root: REPO_ROOT, ignore }).join('\n');
    expect(more).toMatch(/node:24 is not pinned/);
    expect(more).toMatch(/node:latest is not pinned/);
    expect(more).toMatch(/use npm ci/);
    expect(more).toMatch(/numeric non-root uid/);
    expect(more).toMatch(/no HEALTHCHECK/);
    expect(more).toMatch(/no STOPSIGNAL/);
    expect(more).toMatch(/CMD runs npm/);
    expect(more).toMatch(/org\.opencontainers\.image\.revision/);
  });

  it('finds a COPY of something the build context leaves out', async () => {
    const text = [
      'FROM node:24.21.0-bookworm-slim',
      'COPY apps/api/node_modules/ /app/',
      'COPY no/such/file /app/',
    ].join('\n');
    const ignore = await loadDockerIgnore(REPO_ROOT);
    const findings = lintDockerfile(text, { root: REPO_ROOT, ignore }).join('\n');
    expect(findings).toMatch(/apps\/api\/node_modules\/ is not in the build context/);
    expect(findings).toMatch(/no\/such\/file is not in the build context/);
  });
});
