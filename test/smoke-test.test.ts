import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The deploy workflow's last step, run against the real built app (npm start's process, on
// PGlite in a temporary folder): what passes here is what the public URL must pass.
const root = join(import.meta.dirname, '..');
const run = promisify(execFile);
let server: ChildProcess;
let dataDir: string;
let url: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function smoke(...args: string[]) {
  return run(process.execPath, [join(root, 'scripts/smoke-test.ts'), ...args], {
    cwd: root,
    // PGlite opens in seconds on a quiet machine, much later on a busy CI one.
    env: { ...process.env, SMOKE_WAIT_SECONDS: '90' },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout + e.stderr,
    }),
  );
}

beforeAll(async () => {
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'cloud-todo-smoke-'));
  url = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [join(root, 'apps/api/dist/server.js')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: 'ignore',
  });
});

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run smoke', () => {
  it('passes against the running app: page, list, todo written and read back, cleaned up', async () => {
    const result = await smoke(url);
    expect(result.out).toContain('smoke: ok   POST a todo, then GET it back from the list');
    expect(result.out).toContain('smoke: passed');
    expect(result.code).toBe(0);
  }, 120_000);

  it('fails with the step that failed when nothing answers', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await run(process.execPath, [join(root, 'scripts/smoke-test.ts'), closed], {
      cwd: root,
      env: { ...process.env, SMOKE_WAIT_SECONDS: '1' },
    }).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /smoke: FAILED: the web page answers within 1 s: GET \/ never gave 200/,
    );
  });

  it('--profile reads the URL from the profile’s own region, whatever AWS_REGION says', async () => {
    // A stand-in for the AWS CLI that notes its arguments and answers the running app's URL.
    const bin = mkdtempSync(join(tmpdir(), 'cloud-todo-fake-aws-'));
    writeFileSync(join(bin, 'aws'), `#!/bin/sh\necho "$@" > "${bin}/args"\necho "${url}"\n`, {
      mode: 0o755,
    });
    try {
      const result = await run(
        process.execPath,
        [join(root, 'scripts/smoke-test.ts'), '--profile', 'course'],
        {
          cwd: root,
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH ?? ''}`,
            AWS_REGION: 'eu-central-2',
            SMOKE_WAIT_SECONDS: '90',
          },
        },
      ).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          out: e.stdout + e.stderr,
        }),
      );
      expect(result.out).toContain('smoke: passed');
      expect(readFileSync(join(bin, 'args'), 'utf8')).toContain(
        '--region us-east-1 --stack-name CloudTodo-course-Services',
      );
      const unknown = await smoke('--profile', 'staging');
      expect(unknown.code).toBe(1);
      expect(unknown.out).toContain('unknown profile staging (dev, course, prod)');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a missing or non-http argument with its usage', async () => {
    const result = await smoke('ftp://example.org');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/usage: npm run smoke -- <http\(s\) URL> \| --profile <name>/);
  });
});
