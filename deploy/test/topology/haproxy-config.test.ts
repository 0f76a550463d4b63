// The load balancer's config on a real HAProxy, in front of small HTTP servers that record
// what reaches them: the ALB's rule, headers and health checks, draining through the
// runtime API, and which requests HAProxy may re-send (never one that reached a server,
// unless its method is safe).
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startProcess, type RunningProcess } from '@cloud-todo/testkit';
import { HaproxyAdmin } from '../../local/haproxy-admin.ts';
import { detectionTimeMs, renderHaproxyConfig } from '../../local/haproxy-config.ts';

interface Seen {
  server: string;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** A target that answers with its name, or drops the connection when told to. */
async function target(name: string, seen: Seen[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    seen.push({ server: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      if (req.url === '/healthz') return void res.end('ok');
      // Dropping the connection after the request arrived: the case where a request may
      // have been applied and no answer came back.
      if (req.headers['x-test-drop'] === name) return void res.socket?.destroy();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ server: name }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

const seen: Seen[] = [];
let dir: string;
let haproxy: RunningProcess;
let admin: HaproxyAdmin;
let base: string;
let metrics: string;
const targets: Record<string, { server: Server; port: number }> = {};

beforeAll(async () => {
  for (const name of ['api-a1', 'api-b1', 'web-a1', 'web-b1'])
    targets[name] = await target(name, seen);
  dir = await mkdtemp(join(tmpdir(), 'haproxy-config-test-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  metrics = `127.0.0.1:${await freePort()}`;
  const config = renderHaproxyConfig({
    bind: `127.0.0.1:${port}`,
    metricsBind: metrics,
    adminSocket: join(dir, 'admin.sock'),
    apiServers: ['a1', 'b1'].map((n) => ({
      name: n,
      address: `127.0.0.1:${targets[`api-${n}`]?.port}`,
    })),
    webServers: ['a1', 'b1'].map((n) => ({
      name: n,
      address: `127.0.0.1:${targets[`web-${n}`]?.port}`,
    })),
  });
  await writeFile(join(dir, 'haproxy.cfg'), config);
  haproxy = startProcess('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')]);
  admin = new HaproxyAdmin(join(dir, 'admin.sock'));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const stats = await admin.stats().catch(() => []);
    if (stats.length === 4 && stats.every((s) => s.status === 'UP')) break;
    if (Date.now() > deadline) throw new Error(`HAProxy not up: ${haproxy.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await haproxy?.stop();
  for (const t of Object.values(targets)) t.server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One request on a connection of its own (fetch would not let a test set Host). */
function call(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; server: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method: init.method ?? 'GET', headers: init.headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const server =
            status === 200 ? (JSON.parse(text) as { server: string }).server : undefined;
          resolve({ status, server });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('rendered config', () => {
  test('haproxy -c accepts the local and the compose variants', async () => {
    for (const dnsServer of [undefined, '127.0.0.11:53']) {
      const file = join(dir, `check-${dnsServer ? 'dns' : 'local'}.cfg`);
      await writeFile(
        file,
        renderHaproxyConfig({
          bind: ':8080',
          adminSocket: join(dir, 'check.sock'),
          apiServers: [{ name: 'a1', address: dnsServer ? 'api-a1:5000' : '127.0.0.1:5000' }],
          webServers: [{ name: 'a1', address: dnsServer ? 'web-a1:8080' : '127.0.0.1:8081' }],
          dnsServer,
        }),
      );
      const check = startProcess('haproxy', ['-c', '-f', file]);
      expect(await check.exited, check.output()).toBe(0);
    }
  });

  test('rejects names and addresses that would inject config lines', () => {
    const render = (name: string, address: string) =>
      renderHaproxyConfig({
        bind: ':1',
        adminSocket: '/tmp/x.sock',
        apiServers: [{ name, address }],
        webServers: [{ name: 'a1', address: 'h:1' }],
      });
    expect(() => render('a1\nlisten x', 'h:1')).toThrow(/server name/);
    expect(() => render('a1', 'h:1 backup')).toThrow(/address/);
    expect(() =>
      renderHaproxyConfig({
        bind: ':1',
        adminSocket: '/tmp/x.sock',
        apiServers: [{ name: 'a1', address: 'h:1' }],
        webServers: [{ name: 'a1', address: 'h:1' }],
        metricsBind: '127.0.0.1:1\nlisten x',
      }),
    ).toThrow(/metrics address/);
  });

  test('the Prometheus exporter answers on its own listener, not through the traffic frontend', async () => {
    await call('/api/lists');
    const text = await (await fetch(`http://${metrics}/metrics`)).text();
    expect(text).toMatch(/^haproxy_frontend_http_requests_total\{proxy="alb"\} [1-9]/m);
    expect(text).toMatch(/^haproxy_server_status\{proxy="api",server="a1",state="UP"\} 1$/m);
    expect((await fetch(`http://${metrics}/`)).status).toBe(404);
    // On the load balancer's port, /metrics is an ordinary path of the web tier.
    expect((await call('/metrics')).server).toMatch(/^web-/);
  });
});

describe('the ALB listener rule', () => {
  test('/api/* goes to the api backend, everything else to web', async () => {
    expect((await call('/api/lists')).server).toMatch(/^api-/);
    expect((await call('/')).server).toMatch(/^web-/);
    expect((await call('/lists/abc')).server).toMatch(/^web-/);
    // Production's rule is `/api` and `/api/*`: not `/apix`.
    expect((await call('/api')).server).toMatch(/^api-/);
    expect((await call('/apix/y')).server).toMatch(/^web-/);
    expect((await call('/apidocs')).server).toMatch(/^web-/);
  });

  test('round robin spreads requests over both AZs', async () => {
    const servers = new Set<string | undefined>();
    for (let i = 0; i < 6; i++) servers.add((await call('/api/x')).server);
    expect([...servers].sort()).toEqual(['api-a1', 'api-b1']);
  });

  test('adds the forwarding headers and a trace id, keeping a trace id the client sent', async () => {
    await call('/api/headers', {
      headers: { host: 'todo.example:8443', 'x-forwarded-for': '203.0.113.9' },
    });
    const first = seen.findLast((s) => s.url === '/api/headers');
    expect(first?.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(first?.headers['x-forwarded-proto']).toBe('http');
    expect(first?.headers['x-forwarded-host']).toBe('todo.example:8443');
    expect(first?.headers['x-forwarded-port']).toBe(new URL(base).port);
    expect(first?.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    await call('/api/headers2', {
      headers: { 'x-amzn-trace-id': 'Root=1-00000000-000000000000000000000001' },
    });
    expect(seen.findLast((s) => s.url === '/api/headers2')?.headers['x-amzn-trace-id']).toBe(
      'Root=1-00000000-000000000000000000000001',
    );
  });
});

describe('retries', () => {
  test('a GET whose connection dropped after it reached a server is re-sent to the other', async () => {
    const before = seen.length;
    // Round robin sends every other first attempt to a1, which drops it; b1 answers.
    for (let i = 0; i < 4; i++) {
      const result = await call('/api/retry-get', { headers: { 'x-test-drop': 'api-a1' } });
      expect(result).toEqual({ status: 200, server: 'api-b1' });
    }
    const attempts = seen.slice(before).filter((s) => s.url === '/api/retry-get');
    expect(attempts.filter((s) => s.server === 'api-a1').length).toBeGreaterThanOrEqual(1);
  });

  test('a POST or PATCH that reached a server is never re-sent: the client gets the error', async () => {
    for (const method of ['POST', 'PATCH', 'DELETE']) {
      for (const drop of ['api-a1', 'api-b1']) {
        const before = seen.length;
        const url = `/api/no-retry-${method}-${drop}`;
        const results: number[] = [];
        // Round robin: two calls reach both servers; the one that drops answers 502.
        for (let i = 0; i < 2; i++) {
          results.push(
            (await call(url, { method, body: '{}', headers: { 'x-test-drop': drop } })).status,
          );
        }
        const attempts = seen.slice(before).filter((s) => s.url === url);
        expect(results.sort()).toEqual([200, 502]);
        expect(attempts).toHaveLength(2);
      }
    }
  });
});

describe('runtime API and health checks', () => {
  test('a drained server gets no new requests; ready puts it back', async () => {
    await admin.setState('api', 'a1', 'drain');
    expect((await admin.stat('api', 'a1')).status).toBe('DRAIN');
    for (let i = 0; i < 6; i++) expect((await call('/api/drained')).server).toBe('api-b1');
    await admin.setState('api', 'a1', 'ready');
    const servers = new Set<string | undefined>();
    for (let i = 0; i < 6; i++) servers.add((await call('/api/ready')).server);
    expect(servers.has('api-a1')).toBe(true);
  });

  test('a server that stops answering is taken out within the detection time, and put back', async () => {
    const web = targets['web-b1'];
    if (!web) throw new Error('no web-b1');
    const started = Date.now();
    await new Promise<void>((resolve) => {
      web.server.close(() => resolve());
      web.server.closeAllConnections();
    });
    await admin.waitFor('web', 'b1', (s) => s.status === 'DOWN', 'DOWN', 10_000);
    expect(Date.now() - started).toBeLessThanOrEqual(detectionTimeMs() + 1_500);
    // With one web server down, every page still loads (connection failures are redispatched).
    for (let i = 0; i < 6; i++) expect((await call('/')).server).toBe('web-a1');
    await new Promise<void>((resolve) => web.server.listen(web.port, '127.0.0.1', resolve));
    await admin.waitFor('web', 'b1', (s) => s.status === 'UP', 'UP', 10_000);
  });
});
