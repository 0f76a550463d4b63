/** A failure an operator command reports as one clear sentence (no stack trace), exit code 1. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
}

/** Waits and clocks, injectable so that tests neither sleep nor depend on the time of day. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Polls `probe` until it returns a value (not `undefined`), reporting each poll through
 * `progress`; fails after `timeoutMs` with `what` in the message.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { clock: Clock; intervalMs: number; timeoutMs: number },
): Promise<T> {
  const deadline = options.clock.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (options.clock.now() >= deadline) {
      throw new OperationError(
        `gave up waiting for ${what} after ${Math.round(options.timeoutMs / 60_000)} min`,
      );
    }
    await options.clock.sleep(options.intervalMs);
  }
}

/** `93 s` or `12 min 5 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
