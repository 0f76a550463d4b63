import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, acquireDataDirLock } from '../../src/db/data-dir-lock.ts';

describe('acquireDataDirLock', () => {
  it('writes the owner pid, refuses a second owner that runs, and releases', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    // Another live process owns it.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(join(dir, 'owner.lock'), `${other.pid}\n`);
      await expect(acquireDataDirLock(dir)).rejects.toThrow(DataDirLockedError);
      await expect(acquireDataDirLock(dir)).rejects.toThrow(`in use by process ${other.pid}`);
    } finally {
      other.kill('SIGKILL');
    }
    await new Promise((resolve) => other.once('exit', resolve));
    // Its owner is gone: the lock is stale and taken over.
    const lock = await acquireDataDirLock(dir);
    expect((await readFile(lock.path, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
    const again = await acquireDataDirLock(dir);
    await again.release();
  });
});
