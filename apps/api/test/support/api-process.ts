import { join } from 'node:path';
import { freePort, startProcess, waitForHttp, type RunningProcess } from '@cloud-todo/testkit';

export const SERVER_JS = join(import.meta.dirname, '../../dist/server.js');
export const MIGRATE_JS = join(import.meta.dirname, '../../dist/migrate.js');

export interface ApiProcess {
  readonly process: RunningProcess;
  readonly url: string;
}

/** Environment for a child API process: the test's own, minus anything that configures it. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      !/^(DATABASE_URL|DB_|DATA_DIR|PORT|HOST|WEB_ROOT|RATE_LIMIT_MAX|MIGRATE_ON_START)/.test(name)
    ) {
      base[name] = value;
    }
  }
  return { ...base, LOG_LEVEL: 'info', RATE_LIMIT_MAX: '1000000', HOST: '127.0.0.1', ...env };
}

/** Starts the built `dist/server.js`; resolves once `/readyz` answers 200 (unless told not to wait). */
export async function startApiProcess(
  env: Record<string, string>,
  options: { waitForReady?: boolean } = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const child = startProcess(process.execPath, ['--enable-source-maps', SERVER_JS], {
    env: childEnv({ PORT: String(port), ...env }),
  });
  const url = `http://127.0.0.1:${port}`;
  if (options.waitForReady !== false) {
    await waitForHttp(`${url}/readyz`, { process: child, timeoutMs: 60_000 });
  }
  return { process: child, url };
}
