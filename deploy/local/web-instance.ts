import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
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
}): Promise<RunningProcess> {
  const written = await writeNginxConfig({
    port: options.port,
    root: options.root ?? WEB_DIST,
    runDir: options.dir,
  });
  return startProcess('nginx', [...written.args]);
}
