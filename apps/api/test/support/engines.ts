import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, findOrStartPostgres, type PostgresServer } from '@cloud-todo/testkit';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../../src/config.ts';

/** The engines every integration suite runs against. */
export const ENGINES = ['postgres', 'pglite'] as const;
export type Engine = (typeof ENGINES)[number];

/** A database of its own for one test file. */
export interface EngineDatabase {
  readonly engine: Engine;
  readonly config: DatabaseConfig;
  /** The same, as environment variables for a child `dist/server.js`. */
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

let server: Promise<PostgresServer> | undefined;

/** PostgreSQL: a fresh database on the test server. PGlite: a copy of a migrated folder. */
export async function createEngineDatabase(
  engine: Engine,
  options: { migrated?: boolean } = {},
): Promise<EngineDatabase> {
  if (engine === 'postgres') {
    server ??= findOrStartPostgres();
    const { adminUrl } = await server;
    const database = await createTestDatabase(adminUrl, 'api');
    return {
      engine,
      config: { kind: 'postgres', url: database.url, ssl: 'disable', ca: undefined, poolMax: 10 },
      env: { DATABASE_URL: database.url },
      cleanup: () => database.drop(),
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'cloud-todo-api-test-'));
  const template = inject(options.migrated === false ? 'pgliteEmptyTemplate' : 'pgliteTemplate');
  await cp(join(template, 'pglite'), join(dataDir, 'pglite'), { recursive: true });
  return {
    engine,
    config: { kind: 'pglite', dataDir },
    env: { DATA_DIR: dataDir },
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}
