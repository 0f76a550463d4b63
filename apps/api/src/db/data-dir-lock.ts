import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
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
  const takeover = join(dataDir, 'owner.lock.takeover');
  const self: Owner = { pid: process.pid, ...(await startTimeOf(process.pid)) };
  // A lock appears whole or not at all: written aside, then linked into place (a link fails
  // when the name exists). Created in place, it would be empty for a moment, and an empty
  // lock reads as stale to a process starting at that moment.
  const written = `${path}.${process.pid}.new`;
  await writeFile(written, `${formatOwner(self)}\n`);
  const refuse = (owner: Owner) =>
    new DataDirLockedError(
      `DATA_DIR ${dataDir} is in use by process ${owner.pid}; PGlite allows one process per folder. ` +
        'Stop that process, or give this one another DATA_DIR (or a DATABASE_URL).',
    );
  try {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if (await linkQuietly(written, path)) {
        return {
          path,
          async release() {
            const owner = parseOwner(await readText(path));
            if (owner !== undefined && sameProcess(owner, self)) await rm(path, { force: true });
          },
        };
      }
      const text = await readText(path);
      if (text === undefined) continue; // Released, or removed by a takeover: again.
      const owner = parseOwner(text);
      if (owner !== undefined && !sameProcess(owner, self) && (await isAlive(owner))) {
        throw refuse(owner);
      }
      // Stale: its owner has gone (or the file is garbage). Only the holder of the takeover
      // lock removes it, and only if it is still the lock judged stale: without that, two
      // processes taking over at once could each remove the lock the other had just made.
      if (!(await linkQuietly(written, takeover))) {
        const taking = parseOwner(await readText(takeover));
        // Its holder died in the middle of a takeover (rare): clear the way.
        if (taking !== undefined && !(await isAlive(taking))) await rm(takeover, { force: true });
        await sleep(20);
        continue;
      }
      try {
        if ((await readText(path)) === text) await rm(path, { force: true });
      } finally {
        await rm(takeover, { force: true });
      }
    }
    throw new DataDirLockedError(`could not take the lock ${path}`);
  } finally {
    await rm(written, { force: true });
  }
}

/** Links `target` to `name`; false when `name` exists. */
async function linkQuietly(target: string, name: string): Promise<boolean> {
  try {
    await link(target, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** `<pid> <start time>` (the start time only where the system tells it). */
function formatOwner(owner: Owner): string {
  return owner.startTime === undefined ? String(owner.pid) : `${owner.pid} ${owner.startTime}`;
}

/** The file's text; undefined when there is no such file. */
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(text: string | undefined): Owner | undefined {
  const [pidText, startTime] = (text ?? '').trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, ...(startTime === undefined ? {} : { startTime }) };
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
