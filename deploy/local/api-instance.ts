import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startProcess, type RunningProcess } from '@cloud-todo/testkit';

/** The built API (`npm run build -w apps/api`). */
export const API_DIST = resolve(import.meta.dirname, '../../apps/api/dist');

export interface ApiProcessOptions {
  /** Loopback port the instance listens on. */
  readonly port: number;
  readonly databaseUrl: string;
  /** Extra environment (e.g. `RATE_LIMIT_MAX` for load runs). */
  readonly env?: NodeJS.ProcessEnv;
}

export function assertApiBuilt(): void {
  for (const file of ['server.js', 'migrate.js']) {
    if (!existsSync(resolve(API_DIST, file))) {
      throw new Error(
        `${resolve(API_DIST, file)} is missing: build the API first (npm run build -w apps/api)`,
      );
    }
  }
}

/**
 * The API's environment as ECS gives it to a task: its own settings only, nothing inherited
 * that could point it at another database.
 */
function apiEnvironment(options: { port?: number; databaseUrl: string; env?: NodeJS.ProcessEnv }) {
  const inherited = { ...process.env };
  for (const name of Object.keys(inherited)) {
    if (name.startsWith('DB_') || name === 'DATABASE_URL' || name === 'DATA_DIR') {
      delete inherited[name];
    }
  }
  return {
    ...inherited,
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    // Migrations run once, before the instances start (as a one-off task would).
    MIGRATE_ON_START: 'false',
    // HAProxy (the ALB's stand-in) is the one proxy in front of every instance.
    TRUST_PROXY_HOPS: '1',
    LOG_LEVEL: 'warn',
    ...(options.port === undefined ? {} : { PORT: String(options.port) }),
    ...options.env,
  };
}

/** Runs `dist/migrate.js` once; throws with its output when it exits non-zero. */
export async function runMigrations(databaseUrl: string): Promise<void> {
  assertApiBuilt();
  const migrate = startProcess(process.execPath, [resolve(API_DIST, 'migrate.js')], {
    env: apiEnvironment({ databaseUrl }),
  });
  const code = await migrate.exited;
  if (code !== 0) throw new Error(`migrations failed (${code}):\n${migrate.output()}`);
}

export function startApiProcess(options: ApiProcessOptions): RunningProcess {
  return startProcess(process.execPath, ['--enable-source-maps', resolve(API_DIST, 'server.js')], {
    env: apiEnvironment(options),
  });
}
