import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForHttp } from '@cloud-todo/testkit';
import pg from 'pg';
import { HaproxyAdmin } from './haproxy-admin.ts';
import {
  PgBackRest,
  formatTarget,
  pgdataOf,
  runAsOwner,
  type ReplicaCluster,
} from './pgbackrest.ts';

/** What a restore works on: the stack's database, its balancer and its API instances. */
export interface RestoreScope {
  readonly replica: ReplicaCluster;
  readonly databaseUrl: string;
  /** HAProxy's runtime API socket. */
  readonly adminSocket: string;
  readonly apis: readonly { readonly name: string; readonly port: number }[];
}

export type RestorePhase = 'drain' | 'archive' | 'stop' | 'restore' | 'recovery' | 'apis';

export interface RestoreReport {
  /** Milliseconds per phase, in the order they ran. */
  readonly phases: readonly { readonly phase: RestorePhase; readonly ms: number }[];
  readonly totalMs: number;
}

const PHASE_TITLES: Record<RestorePhase, string> = {
  drain: 'take the API instances out of rotation',
  archive: 'archive the current WAL segment',
  stop: 'stop PostgreSQL',
  restore: 'restore the base backup (pgBackRest)',
  recovery: 'start PostgreSQL and replay the WAL to the target',
  apis: 'put the API instances back in rotation',
};

/**
 * Restores the replica's database to `target` (or to the end of the archived WAL), the way
 * an operator restores RDS to a point in time and points the service at it: the API
 * instances leave the balancer's rotation (clients get 503 and retry), the last WAL is
 * archived when the server still runs, PGDATA is restored from the newest base backup
 * before the target, PostgreSQL replays the archive up to the target and is promoted, and
 * the instances come back once they reach it again. Every phase is reported with its time.
 */
export async function restoreReplica(
  scope: RestoreScope,
  target: Date | 'latest',
  progress: (line: string) => void = () => undefined,
): Promise<RestoreReport> {
  const pgbackrest = new PgBackRest(scope.replica);
  const admin = new HaproxyAdmin(scope.adminSocket);
  await assertRestorable(pgbackrest, target);
  const began = performance.now();
  const phases: { phase: RestorePhase; ms: number }[] = [];
  const phase = async (name: RestorePhase, step: () => Promise<void>) => {
    progress(`[${phases.length + 1}/6] ${PHASE_TITLES[name]}…`);
    const start = performance.now();
    await step();
    const ms = performance.now() - start;
    phases.push({ phase: name, ms });
    progress(`      done in ${(ms / 1000).toFixed(1)} s`);
  };
  const detail = (line: string) => {
    if (!/command begin/.test(line)) progress(`      ${line.replace(/^\S+ \S+ \s*P\d+\s+/, '')}`);
  };

  await phase('drain', async () => {
    for (const api of scope.apis) await admin.setState('api', api.name, 'maint');
  });
  const running = await serverRunning(scope.replica);
  await phase('archive', async () => {
    if (!running) {
      progress('      PostgreSQL is not running: WAL not yet archived is lost');
      return;
    }
    await pgbackrest.check(detail).catch((error: unknown) => {
      progress(`      could not archive the current segment: ${String(error).split('\n')[0]}`);
    });
  });
  await phase('stop', async () => {
    if (running) {
      await pgCtl(scope.replica, ['-m', 'fast', 'stop']);
      return;
    }
    // A server whose data folder was deleted under it runs on without its pid file, where
    // pg_ctl cannot find it: found by its command line, it is stopped like a crash.
    const orphan = orphanedPostmaster(scope.replica);
    if (orphan !== undefined) {
      progress(
        `      its data folder is gone; stopping the server still running on it (pid ${orphan})`,
      );
      await stopProcess(orphan);
    }
  });
  const restoreFiles = (to: Date | 'latest') => {
    // pgBackRest names every file it restores with the share done so far; every tenth
    // percent of it is progress enough.
    let shown = -10;
    return pgbackrest.restore(to, (line) => {
      const percent = /restore file .*?, (\d+(?:\.\d+)?)%\)/.exec(line)?.[1];
      if (percent !== undefined) {
        if (Number(percent) >= shown + 10) {
          shown = Math.floor(Number(percent) / 10) * 10;
          progress(`      ${Number(percent).toFixed(0).padStart(3)} % restored`);
        }
      } else if (/^\S+ \S+ \s*P\d+\s+(INFO|WARN|ERROR)/.test(line) && !/command begin/.test(line)) {
        detail(line);
      }
    });
  };
  let restoredTo = target;
  await phase('restore', () => restoreFiles(target));
  await phase('recovery', async () => {
    const log = join(scope.replica.dir, 'server.log');
    const logStart = await fileSize(log);
    await pgCtl(scope.replica, ['-l', log, 'start']).catch(() => undefined);
    const outcome = await waitPromoted(scope);
    if (outcome === 'promoted') return;
    const tail = (await readFile(log, 'utf8').catch(() => '')).slice(logStart);
    if (
      target !== 'latest' &&
      /recovery ended before configured recovery target was reached/.test(tail)
    ) {
      // PostgreSQL stops at the first commit after the target; when nothing committed after
      // it, the archive ends before the target is confirmed. Its end is then exactly the
      // state at the target: restore to it.
      progress(
        '      no transaction committed after the target: its state is the end of the archived WAL',
      );
      restoredTo = 'latest';
      await restoreFiles('latest');
      await pgCtl(scope.replica, ['-l', log, 'start']);
      if ((await waitPromoted(scope)) === 'promoted') return;
    }
    throw new Error(`PostgreSQL did not come up after the restore:\n${tail.slice(-3000)}`);
  });
  await phase('apis', async () => {
    for (const api of scope.apis) {
      await waitForHttp(`http://127.0.0.1:${api.port}/readyz`, { timeoutMs: 60_000 });
      await admin.setState('api', api.name, 'ready');
      await admin.waitFor('api', api.name, (s) => s.status === 'UP', 'UP', 30_000);
    }
  });
  const totalMs = performance.now() - began;
  progress(
    `restored to ${restoredTo === 'latest' ? 'the end of the archived WAL' : formatTarget(restoredTo)} in ${(totalMs / 1000).toFixed(1)} s`,
  );
  return { phases, totalMs };
}

/** Refuses a target no backup can reach, before anything is stopped. */
async function assertRestorable(pgbackrest: PgBackRest, target: Date | 'latest'): Promise<void> {
  const backups = await pgbackrest.info();
  if (backups.length === 0) throw new Error('no backup in the repository yet: run npm run backup');
  if (target === 'latest') return;
  if (Number.isNaN(target.getTime())) throw new Error('the target time is not a valid date');
  if (target.getTime() > Date.now()) throw new Error('the target time is in the future');
  const first = backups[0];
  if (first && target < first.stoppedAt) {
    throw new Error(
      `the target is before the oldest backup's end (${first.stoppedAt.toISOString()}): nothing to restore from`,
    );
  }
}

/** The postmaster started with `-D <this PGDATA>`, from /proc (Linux). */
export function orphanedPostmaster(replica: ReplicaCluster): number | undefined {
  const pgdata = pgdataOf(replica);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const d = argv.indexOf('-D');
    if (argv[0]?.endsWith('/postgres') && d > 0 && argv[d + 1] === pgdata) return Number(entry);
  }
  return undefined;
}

/** SIGQUIT (PostgreSQL's immediate shutdown), SIGKILL after 10 s; resolves once it is gone. */
async function stopProcess(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGQUIT');
  const deadline = Date.now() + 10_000;
  while (alive()) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
}

async function serverRunning(replica: ReplicaCluster): Promise<boolean> {
  if (!existsSync(join(pgdataOf(replica), 'postmaster.pid'))) return false;
  try {
    await pgCtl(replica, ['status']);
    return true;
  } catch {
    return false;
  }
}

async function pgCtl(replica: ReplicaCluster, args: readonly string[]): Promise<void> {
  await runAsOwner(join(replica.binDir, 'pg_ctl'), ['-D', pgdataOf(replica), '-w', ...args]);
}

/**
 * Waits until recovery has reached its target and the server accepts writes (`promoted`),
 * or the server has stopped (`stopped`: recovery failed; the log says why).
 */
async function waitPromoted(
  scope: RestoreScope,
  timeoutMs = 120_000,
): Promise<'promoted' | 'stopped'> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: scope.databaseUrl });
    try {
      await client.connect();
      const { rows } = await client.query<{ r: boolean }>('select pg_is_in_recovery() as r');
      if (rows[0]?.r === false) return 'promoted';
      last = 'still in recovery';
    } catch (error) {
      last = String(error);
      if (!(await serverRunning(scope.replica))) return 'stopped';
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(100);
  }
  throw new Error(`PostgreSQL was not promoted within ${timeoutMs} ms (${last})`);
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/** An ISO 8601 date-time with an explicit zone, so that nobody restores to the wrong hour. */
export function parseRestoreTarget(text: string): Date {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text)) {
    throw new Error(
      `--to wants an ISO 8601 time with a zone (e.g. 2026-11-29T01:52:00Z), not "${text}"`,
    );
  }
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new Error(`--to: "${text}" is not a valid time`);
  return at;
}
