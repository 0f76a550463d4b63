import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createTestDatabase,
  findOrStartPostgres,
  freePort,
  waitForHttp,
  type PostgresServer,
  type TestDatabase,
} from '@cloud-todo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsIn, listFiles } from '../../images/assemble-image.ts';
import { startImage, type RunningImage } from '../../images/run-image.ts';
import { rehearse, type Rehearsal } from './rehearsal.ts';

// The API image's file set, assembled from apps/api/Dockerfile's own stages and commands,
// started as the image starts it, against a real PostgreSQL. docs/images.md says what this
// proves and what only a real build can.
describe('api image rehearsal', () => {
  let rehearsal: Rehearsal;
  let server: PostgresServer;
  let database: TestDatabase;
  let running: RunningImage | undefined;

  beforeAll(async () => {
    [rehearsal, server] = await Promise.all([
      rehearse('apps/api/Dockerfile'),
      findOrStartPostgres(),
    ]);
    database = await createTestDatabase(server.adminUrl, 'image');
  }, 240_000);

  afterAll(async () => {
    if (running && running.process.child.exitCode === null) await running.process.stop('SIGKILL');
    await database?.drop();
    await server?.dispose?.();
    await rehearsal?.dispose();
  });

  it('holds the service, its production dependencies only, and the RDS CA bundle', async () => {
    const { root } = rehearsal.image;
    const files = await listFiles(root);
    expect(files).toContain('app/apps/api/dist/server.js');
    expect(files).toContain('app/apps/api/dist/migrate.js');
    expect(files).toContain('app/node_modules/fastify/package.json');
    // Dev dependencies of the workspace and of the root, and the sources and tests, stay out.
    for (const absent of ['typescript', 'vitest', 'fast-check', '@types/pg', 'eslint', 'vite']) {
      expect(await existsIn(root, `app/node_modules/${absent}`), absent).toBe(false);
    }
    expect(files.filter((f) => /^app\/apps\/api\/(src|test)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('app/apps/') && !f.startsWith('app/apps/api'))).toEqual(
      [],
    );

    const bundle = await readFile(join(root, 'app/certs/rds-global-bundle.pem'), 'utf8');
    const pems = bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    const subjects = pems.map((pem) => new X509Certificate(pem).subject);
    expect(subjects.length).toBeGreaterThan(100);
    // RDS signs with these roots by default since 2024 (rds-ca-rsa2048-g1 and siblings).
    expect(subjects.some((s) => s.includes('Amazon RDS us-east-1 Root CA RSA2048 G1'))).toBe(true);
    expect(rehearsal.image.config.env.DB_CA_FILE).toBe('/app/certs/rds-global-bundle.pem');
  });

  it('leaves nothing writable in the file set', async () => {
    const { root, config } = rehearsal.image;
    // /tmp is declared a VOLUME: the platform mounts a writable volume there.
    expect(config.volumes).toEqual(['/tmp']);
    const writable: string[] = [];
    for (const file of await listFiles(root)) {
      const info = await stat(join(root, file)).catch(() => undefined);
      if (info && (info.mode & 0o222) !== 0 && file !== 'tmp') writable.push(file);
    }
    expect(writable).toEqual([]);
  });

  it('serves as its non-root user, passes its HEALTHCHECK and drains on its STOPSIGNAL', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    running = await startImage(rehearsal.image, {
      runtimeDir: rehearsal.runtimeDir,
      // What the platform sets; the image's DB_CA_FILE stays, so the bundle must be readable.
      env: { PORT: String(port), DATABASE_URL: database.url, DB_SSL: 'disable', LOG_LEVEL: 'warn' },
    });
    await waitForHttp(`${url}/readyz`, { process: running.process, timeoutMs: 60_000 });
    expect(rehearsal.image.config.exposedPorts).toEqual([5000]);
    expect(rehearsal.image.config.env.PORT).toBe('5000');

    // Not root: the uid the Dockerfile's USER names.
    const status = await readFile(`/proc/${running.process.pid}/status`, 'utf8');
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (process.getuid?.() === 0) expect(uid).toBe('1000');
    else expect(uid).toBe(String(process.getuid?.()));

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const list = await fetch(`${url}/api/lists`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Groceries' }),
    });
    expect(list.status).toBe(201);
    const { id } = (await list.json()) as { id: string };
    const todo = await fetch(`${url}/api/lists/${id}/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Milk' }),
    });
    expect(todo.status).toBe(201);
    const todos = (await (await fetch(`${url}/api/lists/${id}/todos`)).json()) as {
      title: string;
    }[];
    expect(todos.map((t) => t.title)).toEqual(['Milk']);

    const health = await running.healthcheck();
    expect(health, health.output).toMatchObject({ code: 0 });

    const exit = await running.stop(30_000);
    expect(exit, running.process.output()).toBe(0);
  });
});
