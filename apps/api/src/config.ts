import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** How the API talks TLS to PostgreSQL (RDS accepts `verify-full` with its CA bundle). */
export type DbSsl = 'disable' | 'require' | 'verify-full';

export type DatabaseConfig =
  | {
      readonly kind: 'postgres';
      /** Connection string, password included: never log it (see `describeConfig`). */
      readonly url: string;
      readonly ssl: DbSsl;
      /** PEM bundle of the CA that signed the server's certificate (`DB_CA_FILE`). */
      readonly ca: string | undefined;
      /** Pool size per process. */
      readonly poolMax: number;
      /**
       * File holding the password (`DB_PASSWORD_FILE`), read at every new connection so that a
       * rotated password is picked up without a restart; the URL then carries none.
       */
      readonly passwordFile?: string;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseConfig;
  readonly logLevel: string;
  /** Requests per minute per client address. */
  readonly rateLimitMax: number;
  /** Folder of the built web app, or undefined when there is none. */
  readonly webRoot: string | undefined;
  readonly migrateOnStart: boolean;
  /**
   * How many proxies in front of us append to X-Forwarded-For (the ALB: 1). 0 by default:
   * a client that reaches the process directly cannot forge its address, host or scheme.
   */
  readonly trustProxyHops: number;
  /**
   * The origin clients use (`PUBLIC_BASE_URL`, e.g. `https://todo.example.com`): when set,
   * generated URLs use it whatever the request's Host or X-Forwarded-* say.
   */
  readonly publicBaseUrl: string | undefined;
}

/** A configuration mistake; the message names every variable at fault. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the configuration. This is the only module that looks at
 * `process.env`; everything else receives the frozen result.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const errors: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      errors.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      errors.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };

  const port = integer('PORT', 8080, 0, 65535);
  const host = text('HOST') ?? '0.0.0.0';
  const logLevel = oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  const rateLimitMax = integer('RATE_LIMIT_MAX', 600, 1, 1_000_000_000);
  const trustProxyHops = integer('TRUST_PROXY_HOPS', 0, 0, 10);
  let publicBaseUrl: string | undefined;
  const publicBaseUrlRaw = text('PUBLIC_BASE_URL');
  if (publicBaseUrlRaw !== undefined) {
    publicBaseUrl = originOfUrl(publicBaseUrlRaw);
    if (publicBaseUrl === undefined) {
      errors.push(
        `PUBLIC_BASE_URL must be an http or https origin, such as https://todo.example.com (got "${publicBaseUrlRaw}")`,
      );
    }
  }
  const migrateOnStart = oneOf('MIGRATE_ON_START', ['true', 'false'], 'true') === 'true';
  const database = readDatabase(env, text, integer, oneOf, errors, cwd);

  let webRoot: string | undefined;
  const webRootRaw = text('WEB_ROOT');
  if (webRootRaw !== undefined) {
    webRoot = resolve(cwd, webRootRaw);
    if (!existsSync(webRoot)) errors.push(`WEB_ROOT is not a folder that exists: ${webRoot}`);
  } else {
    webRoot = defaultWebRoot(cwd);
  }

  if (errors.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${errors.join('\n  - ')}`);
  }
  return Object.freeze({
    port,
    host,
    database: Object.freeze(database),
    logLevel,
    rateLimitMax,
    webRoot,
    migrateOnStart,
    trustProxyHops,
    publicBaseUrl,
  });
}

/**
 * For the service's start-up commands: the configuration, or the reason it is invalid on
 * stderr (one line a variable) and exit code 1, without a stack trace.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function readDatabase(
  env: NodeJS.ProcessEnv,
  text: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  oneOf: <T extends string>(name: string, allowed: readonly T[], fallback: T) => T,
  errors: string[],
  cwd: string,
): DatabaseConfig {
  const ssl = oneOf<DbSsl>('DB_SSL', ['disable', 'require', 'verify-full'], 'disable');
  const poolMax = integer('DB_POOL_MAX', 10, 1, 1000);
  const caFile = text('DB_CA_FILE');
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(resolve(cwd, caFile), 'utf8');
    } catch (error) {
      errors.push(`DB_CA_FILE cannot be read: ${(error as Error).message}`);
    }
  }
  const passwordFileRaw = text('DB_PASSWORD_FILE');
  const passwordFile = passwordFileRaw === undefined ? undefined : resolve(cwd, passwordFileRaw);
  if (passwordFile !== undefined) {
    try {
      readFileSync(passwordFile, 'utf8');
    } catch (error) {
      errors.push(`DB_PASSWORD_FILE cannot be read: ${(error as Error).message}`);
    }
  }
  const withPasswordFile = passwordFile === undefined ? {} : { passwordFile };
  const url = text('DATABASE_URL');
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
        errors.push('DATABASE_URL must start with postgres:// or postgresql://');
      }
      if (parsed.password !== '' && passwordFile !== undefined) {
        errors.push('DATABASE_URL carries a password and DB_PASSWORD_FILE is set: use one of them');
      }
    } catch {
      errors.push('DATABASE_URL is not a valid URL');
    }
    return { kind: 'postgres', url, ssl, ca, poolMax, ...withPasswordFile };
  }
  const dbHost = text('DB_HOST');
  if (dbHost !== undefined) {
    const missing = ['DB_USER', 'DB_NAME'].filter((name) => text(name) === undefined);
    for (const name of missing) errors.push(`${name} is required when DB_HOST is set`);
    const built = new URL('postgres://placeholder');
    built.hostname = dbHost;
    built.port = String(integer('DB_PORT', 5432, 1, 65535));
    built.username = encodeURIComponent(text('DB_USER') ?? '');
    const password = env.DB_PASSWORD;
    if (password !== undefined && password !== '') {
      if (passwordFile !== undefined) {
        errors.push('DB_PASSWORD and DB_PASSWORD_FILE are both set: use one of them');
      }
      built.password = encodeURIComponent(password);
    }
    built.pathname = `/${encodeURIComponent(text('DB_NAME') ?? '')}`;
    return { kind: 'postgres', url: built.toString(), ssl, ca, poolMax, ...withPasswordFile };
  }
  return { kind: 'pglite', dataDir: resolve(cwd, text('DATA_DIR') ?? './data') };
}

/** `apps/web/dist` next to this workspace, when it has been built. */
function defaultWebRoot(cwd: string): string | undefined {
  const candidates = [
    resolve(import.meta.dirname, '../../web/dist'),
    resolve(cwd, 'apps/web/dist'),
    resolve(cwd, '../web/dist'),
  ];
  return candidates.find((folder) => existsSync(resolve(folder, 'index.html')));
}

/** The configuration as it may be logged: passwords replaced. */
export function describeConfig(config: Config): Record<string, unknown> {
  const database =
    config.database.kind === 'postgres'
      ? {
          kind: 'postgres',
          url: redactUrl(config.database.url),
          ssl: config.database.ssl,
          ca: config.database.ca === undefined ? 'system' : 'DB_CA_FILE',
          poolMax: config.database.poolMax,
          ...(config.database.passwordFile === undefined
            ? {}
            : { passwordFile: config.database.passwordFile }),
        }
      : config.database;
  return { ...config, database };
}

/** `https://host[:port]` of an http(s) URL without path, query or credentials; else undefined. */
function originOfUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    const bare = url.username === '' && url.password === '' && url.search === '' && url.hash === '';
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) return undefined;
    if (url.pathname !== '/') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
