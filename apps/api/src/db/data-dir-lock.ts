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

/**
 * Makes this process the only owner of `dataDir`. PGlite has no lock of its own: two
 * processes on one folder would each cache pages and silently lose the other's writes.
 * The lock file holds the owner's pid; a lock whose pid no longer runs is stale and taken.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'owner.lock');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return {
        path,
        async release() {
          const owner = await readOwner(path);
          if (owner === process.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    if (owner !== undefined && owner !== process.pid && isRunning(owner)) {
      throw new DataDirLockedError(
        `DATA_DIR ${dataDir} is in use by process ${owner}; PGlite allows one process per folder. ` +
          'Stop that process, or give this one another DATA_DIR (or a DATABASE_URL).',
      );
    }
    // Stale: its owner has gone (or the file is unreadable). Take it over.
    await rm(path, { force: true });
  }
  throw new DataDirLockedError(`could not take the lock ${path}`);
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
