import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, waitForHttp } from '@cloud-todo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles } from '../../images/assemble-image.ts';
import { startImage, type RunningImage } from '../../images/run-image.ts';
import { rehearse, type Rehearsal } from './rehearsal.ts';

// The web image's file set, assembled from apps/web/Dockerfile's own stages and commands,
// served by nginx as the image serves it: the image's server block inside the unprivileged
// base image's main nginx.conf, as its user, from a read-only file set.
describe('web image rehearsal', () => {
  let rehearsal: Rehearsal;
  let running: RunningImage | undefined;

  beforeAll(async () => {
    rehearsal = await rehearse('apps/web/Dockerfile');
  }, 240_000);

  afterAll(async () => {
    if (running && running.process.child.exitCode === null) await running.process.stop('SIGKILL');
    await rehearsal?.dispose();
  });

  it('holds the built app and the server block, and nothing of the build', async () => {
    const files = await listFiles(rehearsal.image.root);
    expect(files).toContain('usr/share/nginx/html/index.html');
    expect(files).toContain('etc/nginx/conf.d/default.conf');
    expect(files.some((f) => /^usr\/share\/nginx\/html\/assets\/.+\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => /node_modules|\.tsx?$|\.map$/.test(f))).toEqual([]);
    const served = await readFile(
      join(rehearsal.image.root, 'etc/nginx/conf.d/default.conf'),
      'utf8',
    );
    expect(served).toMatch(/listen 8080;/);
  });

  it('serves as its non-root user, passes its HEALTHCHECK and drains on its STOPSIGNAL', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    running = await startImage(rehearsal.image, { runtimeDir: rehearsal.runtimeDir, port });
    await waitForHttp(`${url}/healthz`, { process: running.process, timeoutMs: 30_000 });
    expect(rehearsal.image.config.exposedPorts).toEqual([8080]);

    const status = await readFile(`/proc/${running.process.pid}/status`, 'utf8');
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (process.getuid?.() === 0) expect(uid).toBe('101');
    else expect(uid).toBe(String(process.getuid?.()));

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    await asset.body?.cancel();

    const navigation = await fetch(`${url}/lists/AbCdEfGhIjKlMnOpQrStUv`);
    expect(navigation.status).toBe(200);
    expect(await navigation.text()).toBe(html);
    const missing = await fetch(`${url}/assets/missing-0123abcd.js`);
    expect(missing.status).toBe(404);
    await missing.body?.cancel();

    const health = await running.healthcheck();
    expect(health, health.output).toMatchObject({ code: 0 });

    const exit = await running.stop(30_000);
    expect(exit, running.process.output()).toBe(0);
  });
});
