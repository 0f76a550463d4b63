import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

describe('the built web app from WEB_ROOT', () => {
  let t: TestApp;
  let webRoot: string;
  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'cloud-todo-web-'));
    await mkdir(join(webRoot, 'assets'));
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(webRoot, 'assets', 'app-1234abcd.js'), 'console.log(1)');
    await writeFile(join(webRoot, 'robots.txt'), 'User-agent: *');
    t = await startTestApp('postgres', { webRoot });
  });
  afterAll(async () => {
    await t?.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  it('serves index.html for page navigations, never cached', async () => {
    for (const path of ['/', '/lists/q3nH5tqC0m2S6m9b1mXhVg', '/some/page']) {
      const page = await call(t.app, 'GET', path);
      expect(page.status, path).toBe(200);
      expect(page.text).toContain('<title>app</title>');
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
    }
  });

  it('sends the production nginx security headers; list pages are not to be indexed', async () => {
    const page = await call(t.app, 'GET', '/lists/q3nH5tqC0m2S6m9b1mXhVg');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(page.headers['permissions-policy']).toContain('camera=()');
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
    const start = await call(t.app, 'GET', '/');
    expect(start.headers['x-robots-tag']).toBeUndefined();
    expect(start.headers['cross-origin-resource-policy']).toBe('same-origin');
    // The API itself is called cross-origin by design.
    const api = await call(t.app, 'POST', '/api/lists');
    expect(api.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('serves hashed assets as immutable and other files as they are', async () => {
    const asset = await call(t.app, 'GET', '/assets/app-1234abcd.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await call(t.app, 'GET', '/robots.txt')).text).toBe('User-agent: *');
  });

  it('answers a missing asset and an unknown API path with a real 404', async () => {
    expect((await call(t.app, 'GET', '/assets/app-gone.js')).status).toBe(404);
    expect((await call(t.app, 'GET', '/favicon.ico')).status).toBe(404);
    const api = await call(t.app, 'GET', '/api/nothing');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('without a web app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres', { webRoot: undefined });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/ links to the API docs', async () => {
    const page = await call(t.app, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/api/docs"');
  });
});
