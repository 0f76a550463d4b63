import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('defaults to PGlite in ./data on port 8080, frozen', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      database: { kind: 'pglite', dataDir: '/srv/app/data' },
      logLevel: 'info',
      rateLimitMax: 600,
      migrateOnStart: true,
      // A client talking to the process directly cannot forge X-Forwarded-*.
      trustProxyHops: 0,
      publicBaseUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('builds the URL from the keys of an RDS secret, escaping the password', () => {
    const config = loadConfig({
      DB_HOST: 'db.example.internal',
      DB_PORT: '5433',
      DB_USER: 'app',
      DB_PASSWORD: 'p@ss/w:rd?',
      DB_NAME: 'todo',
      DB_SSL: 'require',
    });
    expect(config.database.kind).toBe('postgres');
    if (config.database.kind !== 'postgres') return;
    const url = new URL(config.database.url);
    expect(url.hostname).toBe('db.example.internal');
    expect(url.port).toBe('5433');
    expect(decodeURIComponent(url.password)).toBe('p@ss/w:rd?');
    expect(config.database.ssl).toBe('require');
  });

  it('takes the password from DB_PASSWORD_FILE, and refuses a second source of it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-'));
    await writeFile(join(dir, 'password'), 'rotated\n');
    const config = loadConfig(
      { DB_HOST: 'db', DB_USER: 'app', DB_NAME: 'todo', DB_PASSWORD_FILE: 'password' },
      dir,
    );
    expect(config.database).toMatchObject({
      kind: 'postgres',
      passwordFile: join(dir, 'password'),
    });
    if (config.database.kind !== 'postgres') return;
    expect(new URL(config.database.url).password).toBe('');
    expect(JSON.stringify(describeConfig(config))).not.toContain('rotated');

    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://app:old@db/todo', DB_PASSWORD_FILE: 'password' }, dir),
    ).toThrow(/DATABASE_URL carries a password and DB_PASSWORD_FILE is set/);
    expect(() =>
      loadConfig(
        {
          DB_HOST: 'db',
          DB_USER: 'a',
          DB_NAME: 't',
          DB_PASSWORD: 'x',
          DB_PASSWORD_FILE: 'password',
        },
        dir,
      ),
    ).toThrow(/DB_PASSWORD and DB_PASSWORD_FILE are both set/);
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://app@db/todo', DB_PASSWORD_FILE: 'missing' }, dir),
    ).toThrow(/DB_PASSWORD_FILE cannot be read/);
  });

  it('never describes a password', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app:hunter2@db/todo' });
    expect(JSON.stringify(describeConfig(config))).not.toContain('hunter2');
  });

  it('reads the CA bundle for verify-full', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ca-'));
    await writeFile(join(folder, 'ca.pem'), '-----BEGIN CERTIFICATE-----');
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/todo',
      DB_SSL: 'verify-full',
      DB_CA_FILE: join(folder, 'ca.pem'),
    });
    expect(config.database.kind === 'postgres' && config.database.ca).toContain(
      'BEGIN CERTIFICATE',
    );
  });

  it('takes PUBLIC_BASE_URL as an http(s) origin only', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://todo.example.com/' }).publicBaseUrl).toBe(
      'https://todo.example.com',
    );
    for (const bad of ['javascript://x', 'https://todo.example.com/app', 'https://u:p@x', 'x']) {
      expect(() => loadConfig({ PUBLIC_BASE_URL: bad }), bad).toThrow(/PUBLIC_BASE_URL/);
    }
  });

  it('names every variable at fault', () => {
    const attempt = () =>
      loadConfig({
        PORT: '80a',
        RATE_LIMIT_MAX: '0',
        DB_SSL: 'yes',
        LOG_LEVEL: 'loud',
        MIGRATE_ON_START: 'maybe',
        DB_HOST: 'db',
        DB_CA_FILE: '/nonexistent/ca.pem',
        WEB_ROOT: '/nonexistent/web',
      });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of [
      'PORT',
      'RATE_LIMIT_MAX',
      'DB_SSL',
      'LOG_LEVEL',
      'MIGRATE_ON_START',
      'DB_USER',
      'DB_NAME',
      'DB_CA_FILE',
      'WEB_ROOT',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/todo' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });
});
