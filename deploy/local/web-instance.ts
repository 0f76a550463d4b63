import { existsSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startProcess, type RunningProcess } from '@cloud-todo/testkit';
import { writeNginxConfig } from '@cloud-todo/web/nginx';

/** The built web app (`npm run build -w apps/web`). */
export const WEB_DIST = resolve(import.meta.dirname, '../../apps/web/dist');

export function assertWebBuilt(): void {
  if (!existsSync(resolve(WEB_DIST, 'index.html'))) {
    throw new Error(
      `${WEB_DIST}/index.html is missing: build the web app first (npm run build -w apps/web)`,
    );
  }
}

/**
 * Copies the built app into `folder`: like an image, the topology serves the files it
 * started with, whatever a rebuild of `apps/web/dist` does meanwhile.
 */
export async function snapshotWebApp(folder: string): Promise<string> {
  await cp(WEB_DIST, folder, { recursive: true });
  return folder;
}

/**
 * One instance of the web container: Debian's nginx running the container's own server
 * block (`apps/web/nginx/default.conf`), rendered for a loopback port and a run folder.
 */
export async function startWebProcess(options: {
  readonly port: number;
  /** Folder for this instance's config, pid, temp files and error log. */
  readonly dir: string;
  /** The built app to serve. Default `apps/web/dist`. */
  readonly root?: string;
  /** A loopback port for `GET /stub_status`, for prometheus-nginx-exporter. Default: none. */
  readonly statusPort?: number;
}): Promise<RunningProcess> {
  const written = await writeNginxConfig({
    port: options.port,
    root: options.root ?? WEB_DIST,
    runDir: options.dir,
  });
  if (options.statusPort !== undefined) {
    const config = await readFile(written.configPath, 'utf8');
    await writeFile(written.configPath, withStubStatus(config, options.statusPort));
  }
  return startProcess('nginx', [...written.args]);
}

/**
 * Adds a server of its own for nginx's connection counters (`stub_status`): on loopback, on
 * a port the load balancer never routes to, so that only the exporter reads it. The
 * container's server block stays as it ships.
 */
export function withStubStatus(config: string, port: number): string {
  const end = config.lastIndexOf('}');
  if (end < 0 || !Number.isInteger(port)) throw new Error('not an nginx.conf, or a bad port');
  const block = `
    server {
        listen 127.0.0.1:${port};
        access_log off;
        location = /stub_status {
            stub_status;
            allow 127.0.0.1;
            deny all;
        }
        location / {
            return 404;
        }
    }
`;
  return `${config.slice(0, end)}${block}${config.slice(end)}`;
}
