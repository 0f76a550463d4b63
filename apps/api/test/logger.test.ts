import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, terminalDestination } from '../src/logger.ts';

/** A stdout stand-in that keeps what is written. */
function fakeStdout(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream: Object.assign(stream, { isTTY }) as unknown as NodeJS.WriteStream, chunks };
}

describe('log lines', () => {
  it('are readable lines on a terminal', async () => {
    const stdout = fakeStdout(true);
    const destination = await terminalDestination(stdout.stream);
    expect(destination).toBeDefined();
    const logger = createLogger('info', destination);
    logger.info({ statusCode: 201 }, 'request completed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // eslint-disable-next-line no-control-regex -- the colours' escape sequences
    const text = stdout.chunks.join('').replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: request completed\n/);
    expect(text).toContain('statusCode: 201');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('are JSON when stdout is not a terminal (a log driver, a pipe, a file)', async () => {
    expect(await terminalDestination(fakeStdout(false).stream)).toBeUndefined();
  });
});
