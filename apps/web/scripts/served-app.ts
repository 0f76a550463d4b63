// The built app as the container serves it: Debian's nginx with the container's config, and
// the API process behind /api (on its embedded PGlite, in a temporary folder), so that the
// page works end to end from one origin. Used by the Lighthouse script and test.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitForHttp } from '@cloud-todo/testkit';
import { writeNginxConfig } from '../nginx/render-config.ts';

const WEB_DIST = fileURLToPath(new URL('../dist', import.meta.url));
const API_SERVER = fileURLToPath(new URL('../../api/dist/server.js', import.meta.url));

export interface ServedApp {
  /** The nginx origin, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts the API and nginx. With `databaseUrl` the API uses that PostgreSQL database;
 * without, its embedded PGlite in a temporary folder (no server needed).
 */
export async function startServedApp(options: { databaseUrl?: string } = {}): Promise<ServedApp> {
  for (const [path, what] of [
    [join(WEB_DIST, 'index.html'), 'the web app'],
    [API_SERVER, 'the API'],
  ] as const) {
    if (!existsSync(path))
      throw new Error(`${what} is not built (${path}): run \`npm run build\` first.`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'cloud-todo-web-api-'));
  const apiPort = await freePort();
  const api = startProcess(process.execPath, [API_SERVER], {
    env: {
      ...process.env,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: options.databaseUrl ?? '',
      RATE_LIMIT_MAX: '100000',
      LOG_LEVEL: 'warn',
    },
  });
  const nginxPort = await freePort();
  const written = await writeNginxConfig({
    port: nginxPort,
    root: WEB_DIST,
    apiUpstream: `http://127.0.0.1:${apiPort}`,
  });
  const nginx = startProcess('nginx', written.args);
  const url = `http://127.0.0.1:${nginxPort}`;
  const stop = async () => {
    await Promise.all([nginx.stop('SIGQUIT', 5_000), api.stop('SIGTERM', 15_000)]);
    await rm(written.runDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://127.0.0.1:${apiPort}/readyz`, { process: api, timeoutMs: 60_000 });
    await waitForHttp(`${url}/healthz`, { process: nginx, timeoutMs: 20_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
