import { rm } from 'node:fs/promises';
import { freePort, startProcess, waitForHttp, type RunningProcess } from '@cloud-todo/testkit';
import { writeNginxConfig } from '../../nginx/render-config.ts';

export interface RunningNginx {
  readonly url: string;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

/** Debian's nginx on a free port with the container's config, serving `root`. */
export async function startNginx(root: string, apiUpstream?: string): Promise<RunningNginx> {
  const port = await freePort();
  const written = await writeNginxConfig({ port, root, ...(apiUpstream ? { apiUpstream } : {}) });
  const proc = startProcess('nginx', written.args);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, { process: proc, timeoutMs: 20_000 });
  return {
    url,
    process: proc,
    async stop() {
      await proc.stop('SIGQUIT', 5_000);
      await rm(written.runDir, { recursive: true, force: true });
    },
  };
}
