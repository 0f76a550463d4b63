import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child process whose output is kept, so a failing test can show it. */
export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` and waits for the exit, killing it after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    // Bound the memory a chatty process can take in a long test.
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      output += `\n${String(error)}`;
      resolve('spawn-error');
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    child,
    pid: child.pid,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = sleep(graceMs).then(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      const result = await exited;
      void timer;
      return result;
    },
  };
}

/**
 * Appends a process's stdout and stderr to `path` until both are closed: 'close', not
 * 'exit', since its last lines (a server's shutdown log) may still be in the pipes when it
 * has exited, and a write after end() would throw in the process that runs it. Resolves
 * once the file holds all of it.
 */
export function appendOutputTo(process: RunningProcess, path: string): Promise<void> {
  const file = createWriteStream(path, { flags: 'a' });
  const written = new Promise<void>((resolve) => {
    file.once('finish', resolve);
    // A log file that cannot be written must not take the process down with it.
    file.once('error', () => resolve());
  });
  process.child.stdout?.pipe(file, { end: false });
  process.child.stderr?.pipe(file, { end: false });
  process.child.once('close', () => file.end());
  return written;
}

/**
 * Polls `url` until it answers with `expectedStatus`, the process ends, or `timeoutMs`
 * passes. Throws with the process's output, which is what one needs to see then.
 */
export async function waitForHttp(
  url: string,
  options: { timeoutMs?: number; expectedStatus?: number; process?: RunningProcess } = {},
): Promise<void> {
  const { timeoutMs = 30_000, expectedStatus = 200, process: proc } = options;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  let ended = false;
  void proc?.exited.then(() => {
    ended = true;
  });
  while (Date.now() < deadline) {
    if (ended) break;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === expectedStatus) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(100);
  }
  const why = ended ? 'the process ended' : `no ${expectedStatus} within ${timeoutMs} ms`;
  throw new Error(
    `${url}: ${why} (last: ${last})${proc ? `\n--- output ---\n${proc.output()}` : ''}`,
  );
}
