import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Another live process owns the PGlite folder. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Who holds a lock: the pid, and (on Linux) when that process started, to tell it from a reuse. */
interface Owner {
  readonly pid: number;
  /** Start time in clock ticks since boot (`/proc/<pid>/stat`, field 22); absent elsewhere. */
  readonly startTime?: string;
}

/**
 * Makes this process the only owner of `dataDir`. PGlite has no lock of its own: two
 * processes on one folder would each cache pages and silently lose the other's writes.
 *
 * The lock file names its owner by pid and start time. A lock is stale — and taken over —
 * when that process no longer runs, is a zombie (killed, not yet reaped), or is another
 * process that got the same pid later (a container restarted as pid 1, a busy host): a pid
 * alone cannot tell those apart, the pair can.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'owner.lock');
  const self: Owner = { pid: process.pid, ...(await startTimeOf(process.pid)) };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${formatOwner(self)}\n`);
      await handle.close();
      return {
        path,
        async release() {
          const owner = await readOwner(path);
          if (owner !== undefined && sameProcess(owner, self)) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    if (owner !== undefined && !sameProcess(owner, self) && (await isAlive(owner))) {
      throw new DataDirLockedError(
        `DATA_DIR ${dataDir} is in use by process ${owner.pid}; PGlite allows one process per folder. ` +
          'Stop that process, or give this one another DATA_DIR (or a DATABASE_URL).',
      );
    }
    // Stale: its owner has gone (or the file is unreadable). Take it over.
    await rm(path, { force: true });
  }
  throw new DataDirLockedError(`could not take the lock ${path}`);
}

/** `<pid> <start time>` (the start time only where the system tells it). */
function formatOwner(owner: Owner): string {
  return owner.startTime === undefined ? String(owner.pid) : `${owner.pid} ${owner.startTime}`;
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    const [pidText, startTime] = (await readFile(path, 'utf8')).trim().split(/\s+/);
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return { pid, ...(startTime === undefined ? {} : { startTime }) };
  } catch {
    return undefined;
  }
}

function sameProcess(a: Owner, b: Owner): boolean {
  return a.pid === b.pid && a.startTime === b.startTime;
}

/** Linux's view of a process: its state letter and start time; undefined when it is gone. */
async function procStat(pid: number): Promise<{ state: string; startTime: string } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTime = fields[19];
    return state === undefined || startTime === undefined ? undefined : { state, startTime };
  } catch {
    return undefined;
  }
}

async function startTimeOf(pid: number): Promise<{ startTime?: string }> {
  const stat = await procStat(pid);
  return stat === undefined ? {} : { startTime: stat.startTime };
}

async function isAlive(owner: Owner): Promise<boolean> {
  if (await hasProc()) {
    const stat = await procStat(owner.pid);
    if (stat === undefined) return false;
    // Z: killed and not yet reaped by its parent; X: dead. Neither writes anything any more.
    if (stat.state === 'Z' || stat.state === 'X') return false;
    // Same pid, another process: the owner is gone and its pid was handed out again.
    return owner.startTime === undefined || owner.startTime === stat.startTime;
  }
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let procAvailable: Promise<boolean> | undefined;
function hasProc(): Promise<boolean> {
  procAvailable ??= procStat(process.pid).then((stat) => stat !== undefined);
  return procAvailable;
}
