import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  findOrStartPostgres,
  freePort,
  startProcess,
  waitForHttp,
  type PostgresServer,
  type RunningProcess,
  type TestDatabase,
} from '@cloud-todo/testkit';
import { DIST } from './built-app.ts';

const SERVER = fileURLToPath(new URL('../../../api/dist/server.js', import.meta.url));

export interface RunningApi {
  readonly url: string;
  readonly port: number;
  readonly process: RunningProcess;
  /** Stops the process (SIGTERM; it drains and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same port and database. */
  restart(): Promise<void>;
}

/**
 * The real API process (`apps/api/dist/server.js`) on a free port, serving the built app, on
 * a PostgreSQL URL or, as `npm start` runs it, on PGlite in `{ dataDir }`.
 */
export async function startApi(
  database: string | { readonly dataDir: string },
  port?: number,
): Promise<RunningApi> {
  if (!existsSync(SERVER)) {
    throw new Error(`The API is not built (${SERVER} is missing): run \`npm run build\` first.`);
  }
  const chosenPort = port ?? (await freePort());
  const url = `http://127.0.0.1:${chosenPort}`;
  const launch = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env))
      if (/^(DATABASE_URL|DB_|DATA_DIR)/.test(name)) delete env[name];
    const proc = startProcess(process.execPath, ['--enable-source-maps', SERVER], {
      env: {
        ...env,
        ...(typeof database === 'string'
          ? { DATABASE_URL: database }
          : { DATA_DIR: database.dataDir }),
        PORT: String(chosenPort),
        HOST: '127.0.0.1',
        WEB_ROOT: DIST,
        RATE_LIMIT_MAX: '1000000',
        LOG_LEVEL: 'warn',
        MIGRATE_ON_START: 'true',
      },
    });
    await waitForHttp(`${url}/readyz`, { process: proc, timeoutMs: 60_000 });
    return proc;
  };
  let proc = await launch();
  return {
    url,
    port: chosenPort,
    get process() {
      return proc;
    },
    async stop() {
      await proc.stop('SIGTERM', 15_000);
    },
    async restart() {
      proc = await launch();
    },
  };
}

/** A PostgreSQL database of its own for one test file, and the API on it. */
export interface ApiFixture {
  readonly api: RunningApi;
  readonly database: TestDatabase;
  close(): Promise<void>;
}

let server: Promise<PostgresServer> | undefined;

export async function startApiWithDatabase(): Promise<ApiFixture> {
  server ??= findOrStartPostgres();
  const { adminUrl } = await server;
  const database = await createTestDatabase(adminUrl, 'web');
  const api = await startApi(database.url);
  return {
    api,
    database,
    async close() {
      await api.stop();
      await database.drop();
      const started = await server;
      await started?.dispose?.();
      server = undefined;
    },
  };
}
