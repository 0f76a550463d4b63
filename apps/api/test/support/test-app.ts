import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrations.ts';
import { createEngineDatabase, type Engine, type EngineDatabase } from './engines.ts';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly engineDatabase: EngineDatabase;
  close(): Promise<void>;
}

/** The whole app in-process on a database of its own, for `app.inject()`. */
export async function startTestApp(
  engine: Engine,
  config: Partial<AppOptions['config']> = {},
  options: Pick<AppOptions, 'server' | 'isDraining' | 'isSchemaReady'> = {},
): Promise<TestApp> {
  const engineDatabase = await createEngineDatabase(engine);
  const database = await openDatabase(engineDatabase.config);
  await migrateToLatest(database.db);
  const app = await buildApp({
    config: { rateLimitMax: 1_000_000, webRoot: undefined, trustProxyHops: 1, ...config },
    database,
    ...options,
  });
  return {
    app,
    database,
    engineDatabase,
    async close() {
      await app.close();
      await database.close();
      await engineDatabase.cleanup();
    },
  };
}
