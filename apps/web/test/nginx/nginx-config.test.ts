// The container's nginx config, run for real by Debian's nginx against the built app.
import { readFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNginxConfig, renderServerBlock } from '../../nginx/render-config.ts';
import { builtAssets, DIST, requireBuiltApp } from '../support/built-app.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';

let nginx: RunningNginx;

beforeAll(async () => {
  requireBuiltApp();
  nginx = await startNginx(DIST);
});

afterAll(async () => {
  await nginx?.stop();
});

/** A raw GET (fetch would decompress the body, and the test needs the bytes on the wire). */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Headers; body: Buffer }>((resolve, reject) => {
    const request = httpGet(`${nginx.url}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const result = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') result.set(name, value);
        }
        resolve({ status: response.statusCode ?? 0, headers: result, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

describe('pages', () => {
  it('serves index.html for / without caching', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.body.toString()).toContain('class="todoapp"');
  });

  it('serves the app for a list link, and asks search engines not to index it', async () => {
    const page = await get('/lists/Zm9vYmFyYmF6cXV4MTIzNDU2');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe(await readFile(`${DIST}/index.html`, 'utf8'));
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect((await get('/')).headers.get('x-robots-tag')).toBeNull();
  });

  it('answers the health check without touching anything else', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body.toString()).toBe('ok\n');
  });

  it('serves robots.txt and the favicon', async () => {
    const robots = await get('/robots.txt');
    expect(robots.status).toBe(200);
    expect(robots.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(robots.body.toString()).toMatch(/^User-agent: \*$/m);
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });
});

describe('assets', () => {
  it('caches hashed assets for a year, immutable', async () => {
    const assets = [...builtAssets('.js'), ...builtAssets('.css')];
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const response = await get(`/${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('cache-control'), asset).toBe(
        'public, max-age=31536000, immutable',
      );
    }
  });

  it('sends the pre-compressed file to a client that accepts gzip, and the plain one otherwise', async () => {
    const [script] = builtAssets('.js');
    const original = await readFile(`${DIST}/${script}`);
    const zipped = await get(`/${script}`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(zipped.body.length).toBeLessThan(original.length / 2);
    expect(gunzipSync(zipped.body).equals(original)).toBe(true);
    const plain = await get(`/${script}`, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.body.equals(original)).toBe(true);
  });

  it('answers a missing script, stylesheet or image with a real 404, never the page', async () => {
    for (const path of [
      '/assets/index-missing.js',
      '/assets/missing.css',
      '/logo.png',
      '/lists/x/app.js',
    ]) {
      const response = await get(path, { accept: 'text/html' });
      expect(response.status, path).toBe(404);
      expect(response.body.toString(), path).not.toContain('class="todoapp"');
      // A 404 must not be cached for a year under an asset's name.
      expect(response.headers.get('cache-control'), path).toBeNull();
    }
  });

  it('does not serve the API: the load balancer routes /api/* elsewhere', async () => {
    expect((await get('/api/lists')).status).toBe(404);
  });
});

describe('security headers', () => {
  const paths = ['/', '/lists/abc', '/healthz', '/assets/missing.js'];

  it('sends them on every answer, error pages included', async () => {
    for (const path of paths) {
      const { headers } = await get(path);
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(headers.get('x-frame-options'), path).toBe('DENY');
      expect(headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(headers.get('content-security-policy'), path).toContain("default-src 'none'");
      expect(headers.get('server'), path).toBe('nginx');
    }
  });

  it('has a Content-Security-Policy without inline scripts or styles', async () => {
    const csp = (await get('/')).headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe');
  });

  it('sends HSTS only when the load balancer says the request came over HTTPS', async () => {
    expect((await get('/')).headers.get('strict-transport-security')).toBeNull();
    const https = await get('/', { 'x-forwarded-proto': 'https' });
    expect(https.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('leaves nothing inline in the built page for the policy to block', async () => {
    const html = (await get('/', { 'accept-encoding': 'identity' })).body.toString();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style[\s>]/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });
});

describe('rendering', () => {
  it('keeps the container block as it is but for the port, the root and the upstream', () => {
    const block = renderServerBlock({ port: 1234, root: '/srv/web', runDir: '/tmp/x' });
    expect(block).toContain('listen 127.0.0.1:1234;');
    expect(block).toContain('root "/srv/web";');
    expect(block).not.toContain('listen 8080;');
    const proxied = renderServerBlock({
      port: 1234,
      root: '/srv/web',
      runDir: '/tmp/x',
      apiUpstream: 'http://127.0.0.1:5000',
    });
    expect(proxied).toContain('proxy_pass http://127.0.0.1:5000;');
    expect(proxied).not.toContain('return 404;\n    }\n\n    # A path');
  });

  it('puts every file nginx writes into the run folder, and runs workers as root only when asked', () => {
    const conf = renderNginxConfig({
      port: 1,
      root: '/r',
      runDir: '/run/here',
      workerAsRoot: false,
    });
    for (const directive of ['pid', 'error_log', 'client_body_temp_path', 'proxy_temp_path']) {
      expect(conf).toMatch(new RegExp(`^\\s*${directive} "/run/here/`, 'm'));
    }
    expect(conf).not.toMatch(/^user /m);
    expect(renderNginxConfig({ port: 1, root: '/r', runDir: '/x', workerAsRoot: true })).toMatch(
      /^user root;/m,
    );
  });

  it('refuses an upstream that is not a plain http origin', () => {
    expect(() =>
      renderServerBlock({ port: 1, root: '/r', runDir: '/x', apiUpstream: 'http://h:1/api' }),
    ).toThrow(/plain http/);
  });
});
