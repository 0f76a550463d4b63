import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { startProcess } from '@cloud-todo/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_MIGRATION } from '../../src/db/migrations.ts';
import { MIGRATE_JS, childEnv, startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { createEngineDatabase, type EngineDatabase } from '../support/engines.ts';

const running: ApiProcess[] = [];
const databases: EngineDatabase[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.process.stop('SIGKILL')));
  await Promise.all(databases.splice(0).map((database) => database.cleanup()));
});

async function database(engine: 'postgres' | 'pglite', migrated = false) {
  const created = await createEngineDatabase(engine, { migrated });
  databases.push(created);
  return created;
}

describe('start-up', () => {
  it('two processes starting at once on an empty database migrate it once and both serve', async () => {
    const db = await database('postgres');
    const apis = await Promise.all([startApiProcess(db.env), startApiProcess(db.env)]);
    running.push(...apis);
    for (const api of apis) {
      const created = await fetch(`${api.url}/api/lists`, { method: 'POST' });
      expect(created.status).toBe(201);
    }
    const client = new pg.Client({ connectionString: db.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('select name from kysely_migration');
      expect(rows.map((row) => row.name)).toEqual([LATEST_MIGRATION]);
    } finally {
      await client.end();
    }
    const logs = apis.map((api) => api.process.output()).join('\n');
    expect(logs.match(/"msg":"migrated"/g)).toHaveLength(1);
    expect(logs.match(/"msg":"schema is current"/g)).toHaveLength(1);
  });

  it('dist/migrate.js migrates an empty database, then finds it current; exits 1 on failure', async () => {
    const db = await database('postgres');
    const runMigrate = async (env: Record<string, string>) => {
      const child = startProcess(process.execPath, [MIGRATE_JS], { env: childEnv(env) });
      return { code: await child.exited, output: child.output() };
    };
    const first = await runMigrate(db.env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(LATEST_MIGRATION);
    const second = await runMigrate(db.env);
    expect(second.code).toBe(0);
    expect(second.output).toContain('schema is current');
    const broken = await runMigrate({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(broken.code).toBe(1);
    const invalid = await runMigrate({ DATABASE_URL: 'mysql://x' });
    expect(invalid.code).toBe(1);
    expect(invalid.output).toContain('DATABASE_URL');
  });

  it('refuses to start with an invalid configuration, naming the variable', async () => {
    const child = startProcess(process.execPath, [MIGRATE_JS.replace('migrate', 'server')], {
      env: childEnv({ PORT: 'eighty', DB_SSL: 'sometimes' }),
    });
    expect(await child.exited).toBe(1);
    expect(child.output()).toMatch(/PORT must be an integer/);
    expect(child.output()).toMatch(/DB_SSL must be one of disable, require, verify-full/);
  });

  it('a second process on the same PGlite folder is refused; a stale lock is taken over', async () => {
    const db = await database('pglite', true);
    const owner = await startApiProcess(db.env);
    running.push(owner);
    const second = startProcess(process.execPath, [MIGRATE_JS.replace('migrate', 'server')], {
      env: childEnv({ ...db.env, PORT: '0' }),
    });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`in use by process ${owner.process.pid}`);
    // The owner was not disturbed.
    expect((await fetch(`${owner.url}/api/lists`, { method: 'POST' })).status).toBe(201);

    await owner.process.stop('SIGKILL');
    // A crashed owner leaves its lock behind; its pid no longer runs.
    await writeFile(join(db.env.DATA_DIR!, 'owner.lock'), `${owner.process.pid}\n`);
    const next = await startApiProcess(db.env);
    running.push(next);
    expect((await fetch(`${next.url}/api/lists`, { method: 'POST' })).status).toBe(201);
  });
});
