// The stack's log files: a process's last lines reach its file even when they come after
// its exit event (still in its pipes, or written by a child of its that outlives it, as
// nginx's workers do), and a late line never crashes the stack that logs it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { appendOutputTo, startProcess } from '@cloud-todo/testkit';

const dir = await mkdtemp(join(tmpdir(), 'cloud-todo-logs-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

test('keeps every line of a process, those after its exit included', async () => {
  const program = [
    `process.stdout.write('x'.repeat(1024 * 1024) + '\\n');`,
    `require('node:child_process').spawn('sh', ['-c', 'sleep 0.3; echo late line >&2'],`,
    `  { stdio: 'inherit', detached: true }).unref();`,
  ].join('');
  const child = startProcess(process.execPath, ['-e', program]);
  const path = join(dir, 'child.log');
  const written = appendOutputTo(child, path);
  expect(await child.exited).toBe(0);
  await written;
  const log = await readFile(path, 'utf8');
  expect(log.length).toBe(1024 * 1024 + 1 + 'late line\n'.length);
  expect(log.endsWith('late line\n')).toBe(true);
});
