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
    expect((await readFile(lock.path, 'utf8')).trim()).toMatch(new RegExp(`^${process.pid}( |$)`));
    await lock.release();
    const again = await acquireDataDirLock(dir);
    await again.release();
  });
});

describe('acquireDataDirLock, by several processes at once', () => {
  it('lets exactly one of eight processes take over a stale lock', async () => {
    const module = new URL('../../src/db/data-dir-lock.ts', import.meta.url).href;
    const program = `
      const { acquireDataDirLock } = await import(${JSON.stringify(module)});
      try {
        await acquireDataDirLock(process.argv[1]);
        console.log('owner');
        setTimeout(() => {}, 1500);
      } catch (error) {
        console.log(error.name === 'DataDirLockedError' ? 'refused' : 'error ' + error.message);
      }`;
    for (let round = 0; round < 3; round += 1) {
      const dir = await mkdtemp(join(tmpdir(), 'lock-race-'));
      // A stale lock: its owner has exited.
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => gone.once('exit', resolve));
      await writeFile(join(dir, 'owner.lock'), `${gone.pid}\n`);
      const answers = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', program, dir]);
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          await new Promise((resolve) => child.once('exit', resolve));
          return out.trim();
        }),
      );
      expect(
        answers.filter((a) => a === 'owner'),
        JSON.stringify(answers),
      ).toHaveLength(1);
      expect(answers.filter((a) => a === 'refused')).toHaveLength(7);
    }
  }, 30_000);
});

/** The start time Linux gives a process (`/proc/<pid>/stat`, field 22). */
async function startTimeOf(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

describe.runIf(process.platform === 'linux')('acquireDataDirLock on Linux', () => {
  it('names its owner by pid and start time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const lock = await acquireDataDirLock(dir);
    expect((await readFile(lock.path, 'utf8')).trim()).toBe(
      `${process.pid} ${await startTimeOf(process.pid)}`,
    );
    await lock.release();
  });

  it('takes over a lock whose pid now belongs to another process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const pid = other.pid as number;
      const realStart = await startTimeOf(pid);
      // The same pid with its real start time: that process owns it.
      await writeFile(join(dir, 'owner.lock'), `${pid} ${realStart}\n`);
      await expect(acquireDataDirLock(dir)).rejects.toThrow(`in use by process ${pid}`);
      // The same pid, started at another time: the owner died and the pid was reused.
      await writeFile(join(dir, 'owner.lock'), `${pid} ${Number(realStart) - 1}\n`);
      const lock = await acquireDataDirLock(dir);
      await lock.release();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock whose owner was killed and is a zombie not yet reaped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    // `sleep 0` ends at once; its parent execs into `sleep 30`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 30']);
    try {
      const children = join('/proc', String(parent.pid), 'task', String(parent.pid), 'children');
      let zombie: number | undefined;
      for (let i = 0; i < 100 && zombie === undefined; i += 1) {
        const pid = Number((await readFile(children, 'utf8')).trim().split(' ')[0]);
        if (pid > 0 && (await readFile(`/proc/${pid}/stat`, 'utf8')).includes(') Z ')) {
          zombie = pid;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      expect(zombie, 'a zombie process to own the lock').toBeDefined();
      await writeFile(
        join(dir, 'owner.lock'),
        `${zombie} ${await startTimeOf(zombie as number)}\n`,
      );
      const lock = await acquireDataDirLock(dir);
      expect((await readFile(lock.path, 'utf8')).trim()).toMatch(new RegExp(`^${process.pid} `));
      await lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
