// compose.yaml, validated with what runs without a Docker engine: docker-compose's own
// schema check (`config -q`), then assertions on the effective config it prints (anchors and
// defaults resolved), and the HAProxy config it mounts, checked against the renderer.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_SERVERS, composeHaproxyConfig } from '../../compose/compose-haproxy-config.ts';

const run = promisify(execFile);
const COMPOSE_DIR = resolve(import.meta.dirname, '../../compose');
const COMPOSE_FILE = join(COMPOSE_DIR, 'compose.yaml');
const REPO_ROOT = resolve(import.meta.dirname, '../../..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  read_only?: boolean;
  cap_drop?: string[];
  healthcheck?: { test: string[]; interval: string };
  labels?: Record<string, string>;
  ports?: (string | { host_ip?: string; published?: number })[];
  environment?: Record<string, string>;
  volumes?: (string | { source: string; target: string })[];
  tmpfs?: string[];
}

/** `docker-compose config` on a file; rejects with its message when the file is invalid. */
async function composeConfig(file: string, quiet = false): Promise<string> {
  try {
    const { stdout } = await run(
      'docker-compose',
      ['-f', file, 'config', ...(quiet ? ['-q'] : [])],
      {
        env: { ...process.env, CLOUD_TODO_DB_PASSWORD: '' },
      },
    );
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'docker-compose is not installed: run `bash scripts/install-system-deps.sh`',
        {
          cause: error,
        },
      );
    }
    throw new Error(e.stderr || e.message, { cause: error });
  }
}

let services: Record<string, Service>;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'compose-test-'));
  services = (parse(await composeConfig(COMPOSE_FILE)) as { services: Record<string, Service> })
    .services;
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('compose.yaml', () => {
  test('passes docker-compose config -q', async () => {
    await expect(composeConfig(COMPOSE_FILE, true)).resolves.toBe('');
  });

  test('a broken copy is rejected (the check can fail)', async () => {
    const text = await readFile(COMPOSE_FILE, 'utf8');
    const broken = join(COMPOSE_DIR, `.broken-${process.pid}.yaml`);
    try {
      for (const [search, replacement] of [
        ['    read_only: true', '    read_onyl: true'],
        ['      - pgdata:/var/lib/postgresql', '      - pgdta:/var/lib/postgresql'],
        ['      - api-a1\n', '      - api-c9\n'],
      ] as const) {
        expect(text).toContain(search);
        await writeFile(broken, text.replace(search, replacement));
        await expect(composeConfig(broken, true)).rejects.toThrow();
      }
    } finally {
      await rm(broken, { force: true });
    }
  });

  test('has the production topology: lb, two api and two web in AZ a and b, migrate, postgres', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api-a1', 'api-b1', 'lb', 'migrate', 'postgres', 'web-a1', 'web-b1'].sort(),
    );
    for (const kind of ['api', 'web']) {
      expect(services[`${kind}-a1`]?.labels?.['cloud-todo.az']).toBe('a');
      expect(services[`${kind}-b1`]?.labels?.['cloud-todo.az']).toBe('b');
    }
  });

  test('builds the images from the Dockerfiles, with the repository root as the context', () => {
    const expected: Record<string, string> = {
      'api-a1': 'apps/api/Dockerfile',
      'api-b1': 'apps/api/Dockerfile',
      migrate: 'apps/api/Dockerfile',
      'web-a1': 'apps/web/Dockerfile',
      'web-b1': 'apps/web/Dockerfile',
    };
    for (const [name, dockerfile] of Object.entries(expected)) {
      expect(services[name]?.build).toEqual({ context: REPO_ROOT, dockerfile });
      expect(existsSync(join(REPO_ROOT, dockerfile))).toBe(true);
    }
    for (const service of Object.values(services)) {
      expect(service.image).toMatch(/:[\w.-]+$/);
      expect(service.image).not.toMatch(/:latest$/);
    }
  });

  test('read-only root file systems, no capabilities, health checks', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop ?? ['ALL'], name).toEqual(['ALL']);
    }
    for (const name of ['api-a1', 'api-b1', 'web-a1', 'web-b1', 'postgres']) {
      expect(services[name]?.healthcheck?.test[0], name).toBe('CMD');
      expect(services[name]?.healthcheck?.interval, name).toMatch(/^\d+s$/);
    }
    expect(services['postgres']?.tmpfs).toContain('/var/run/postgresql');
  });

  test('publishes only the load balancer, on the loopback', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'lb') continue;
      expect(service.ports, name).toBeUndefined();
    }
    const ports = services['lb']?.ports ?? [];
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) {
      if (typeof port === 'string') expect(port).toMatch(/^127\.0\.0\.1:/);
      else expect(port.host_ip).toBe('127.0.0.1');
    }
  });

  test('the API trusts exactly the one proxy in front of it, HAProxy', () => {
    expect(services['lb']?.image).toMatch(/^haproxy:/);
    for (const [name, service] of Object.entries(services).filter(([n]) => n.startsWith('api-'))) {
      expect(service.environment?.['TRUST_PROXY_HOPS'], name).toBe('1');
    }
  });

  test('the database password is not written in the file', async () => {
    const text = await readFile(COMPOSE_FILE, 'utf8');
    for (const line of text.split('\n').filter((l) => /PASSWORD:/.test(l))) {
      expect(line).toMatch(/\$\{CLOUD_TODO_DB_PASSWORD:-local-only-[\w-]+\}/);
    }
    // The API and the database get the same one.
    expect(services['api-a1']?.environment?.['DB_PASSWORD']).toBe(
      (services['postgres']?.environment as Record<string, string>)['POSTGRES_PASSWORD'],
    );
  });
});

describe('compose/haproxy.cfg', () => {
  test('is what the renderer makes (npm run compose:haproxy -w deploy)', async () => {
    expect(await readFile(join(COMPOSE_DIR, 'haproxy.cfg'), 'utf8')).toBe(composeHaproxyConfig());
  });

  test('names the compose services, on the ports their images listen on', () => {
    for (const server of [...COMPOSE_SERVERS.api, ...COMPOSE_SERVERS.web]) {
      const [host] = server.address.split(':');
      expect(Object.keys(services)).toContain(host);
    }
    expect(COMPOSE_SERVERS.api.every((s) => s.address.endsWith(':5000'))).toBe(true);
    expect(COMPOSE_SERVERS.web.every((s) => s.address.endsWith(':8080'))).toBe(true);
    const mounted = services['lb']?.volumes?.map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    expect(mounted?.some((v) => v.includes('haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg'))).toBe(
      true,
    );
  });

  test('haproxy -c accepts it', async () => {
    const { stderr } = await run('haproxy', ['-c', '-f', join(COMPOSE_DIR, 'haproxy.cfg')]);
    // Outside Docker the service names do not resolve: warnings, not errors.
    expect(stderr).not.toMatch(/\[ALERT\]/);
  });
});
