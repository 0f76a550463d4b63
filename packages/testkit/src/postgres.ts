import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

/** The server that the session's machine runs; CI on a fresh machine may not have it. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** True when a PostgreSQL server answers a query at `url` within `timeoutMs`. */
export async function postgresAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The newest PostgreSQL server binaries installed (Debian keeps them per major version). */
export async function postgresBinDir(): Promise<string> {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => [] as string[]))
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new Error(
      'No PostgreSQL server binaries under /usr/lib/postgresql: run `apt-get install postgresql` or set PG_BIN.',
    );
  }
  return join(root, versions[0] as string, 'bin');
}

/** A PostgreSQL cluster of its own, in a temporary folder, on a free port. */
export interface ThrowawayCluster {
  /** Connection URL of the `postgres` database as the `postgres` superuser. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Starts the server again after `stop()`; resolves once it accepts connections. */
  start(): Promise<void>;
  /**
   * Stops the server. `fast` disconnects clients and shuts down cleanly; `immediate`
   * aborts like a crash (recovery from the WAL on the next start).
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /**
   * Freezes the server with SIGSTOP (the postmaster and every backend): connections stay open
   * and nothing answers — what clients see of an RDS Multi-AZ failover, where the old
   * primary's connections hang for 60–120 s rather than being refused.
   */
  freeze(): Promise<void>;
  /** SIGCONT to everything `freeze()` stopped (and any process of the server since). */
  thaw(): Promise<void>;
  /**
   * Requires a password (SCRAM) for TCP connections of `role`; other roles stay on trust.
   * For rotation tests: `ALTER ROLE … PASSWORD` then fails new connections with 28P01.
   */
  requirePasswordFor(role: string): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** The postmaster's pid (first line of postmaster.pid) and its children's (the backends). */
async function serverProcesses(pgdata: string): Promise<number[]> {
  const postmaster = Number(
    (await readFile(join(pgdata, 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
  if (!Number.isInteger(postmaster) || postmaster <= 0) {
    throw new Error(`no postmaster.pid in ${pgdata}: is the server running?`);
  }
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid …": the parent pid is the second field after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === postmaster) children.push(Number(entry));
  }
  return [postmaster, ...children];
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      // A backend that ended meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/**
 * Creates and starts a throwaway cluster. initdb refuses to run as root, so as root the
 * cluster belongs to the `postgres` system user that Debian's package creates.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = await postgresBinDir();
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'cloud-todo-pg-'));
  const asRoot = userInfo().uid === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    owner = { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
    await chown(dataDir, owner.uid, owner.gid);
    await chmod(dataDir, 0o700);
  }
  const pgCommand = async (tool: string, args: string[]): Promise<void> => {
    const file = join(bin, tool);
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', file, ...args]);
    else await run(file, args);
  };
  const pgdata = join(dataDir, 'data');
  await pgCommand('initdb', [
    '-D',
    pgdata,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const options = [
    `-p ${port}`,
    `-k ${dataDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c max_connections=200',
  ].join(' ');
  const start = () =>
    pgCommand('pg_ctl', [
      '-D',
      pgdata,
      '-l',
      join(dataDir, 'server.log'),
      '-o',
      options,
      '-w',
      'start',
    ]);
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pgCommand('pg_ctl', ['-D', pgdata, '-m', mode, '-w', 'stop']);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let frozen: number[] = [];
  const thaw = async () => {
    signalAll([...frozen, ...(await serverProcesses(pgdata).catch(() => []))], 'SIGCONT');
    frozen = [];
  };
  return {
    url,
    port,
    dataDir,
    start,
    stop,
    async freeze() {
      // The postmaster first, so that it forks no new backend; then its children, listed
      // again once it is stopped, so that a connection opened meanwhile is frozen too.
      const [postmaster] = await serverProcesses(pgdata);
      signalAll([postmaster as number], 'SIGSTOP');
      frozen = await serverProcesses(pgdata);
      signalAll(frozen.slice(1), 'SIGSTOP');
    },
    thaw,
    async requirePasswordFor(role) {
      const hba = join(pgdata, 'pg_hba.conf');
      const rule = `host all ${role} 127.0.0.1/32 scram-sha-256\n`;
      await writeFile(hba, rule + (await readFile(hba, 'utf8')));
      await pgCommand('pg_ctl', ['-D', pgdata, 'reload']);
    },
    async destroy() {
      await thaw().catch(() => undefined);
      await stop('immediate').catch(() => undefined);
      // An archive_command (pgBackRest) that the stop interrupted may still write into the
      // repository below dataDir for a moment: retry on ENOTEMPTY instead of failing.
      await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

/** Where tests find a server: TEST_DATABASE_URL, the machine's server, or a throwaway one. */
export interface PostgresServer {
  readonly adminUrl: string;
  /** Set when this process started the server; call it when the tests are done. */
  readonly dispose?: () => Promise<void>;
}

export async function findOrStartPostgres(): Promise<PostgresServer> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) {
    if (await postgresAnswers(configured)) return { adminUrl: configured };
    throw new Error(`TEST_DATABASE_URL is set but nothing answers there: ${redactUrl(configured)}`);
  }
  if (await postgresAnswers(DEFAULT_ADMIN_URL)) return { adminUrl: DEFAULT_ADMIN_URL };
  const cluster = await startThrowawayCluster();
  return { adminUrl: cluster.url, dispose: () => cluster.destroy() };
}

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh, empty database on the server at `adminUrl`, for one test file. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(adminUrl: string, prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
