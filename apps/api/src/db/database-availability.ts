import { performance } from 'node:perf_hooks';
import { isDatabaseUnavailable } from './database-errors.ts';

export interface AvailabilityEvents {
  /** The first failure of an episode: the database cannot be used right now. */
  onUnavailable?(error: unknown): void;
  /** The first success after an episode, with how long it lasted and what failed meanwhile. */
  onAvailable?(episode: { downMs: number; failures: number }): void;
}

/**
 * Turns a stream of failures and successes into episodes, so that an outage (or a rotated
 * password) is logged once when it starts and once when it ends, not once per request.
 *
 * An episode ends with a success after `quietMs` without a failure. A fault rarely fails
 * every request: during a password rotation the pool's older connections keep working while
 * every new one fails with 28P01, and a terminated backend fails one request while the next
 * succeeds on another connection. Without that hysteresis one fault would log a string of
 * short episodes.
 */
export class DatabaseAvailability {
  readonly #events: AvailabilityEvents;
  readonly #quietMs: number;
  readonly #now: () => number;
  #since: number | undefined;
  #lastFailure = 0;
  #failures = 0;

  constructor(events: AvailabilityEvents, options: { quietMs?: number; now?: () => number } = {}) {
    this.#events = events;
    this.#quietMs = options.quietMs ?? 5_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** True while an episode is open. */
  get unavailable(): boolean {
    return this.#since !== undefined;
  }

  failed(error: unknown): void {
    if (!isDatabaseUnavailable(error)) return;
    this.#failures += 1;
    this.#lastFailure = this.#now();
    if (this.#since === undefined) {
      this.#since = this.#lastFailure;
      this.#events.onUnavailable?.(error);
    }
  }

  succeeded(): void {
    if (this.#since === undefined) return;
    if (this.#now() - this.#lastFailure < this.#quietMs) return;
    // Down from the first failure to the last: the quiet period was service as usual.
    const episode = {
      downMs: Math.round(this.#lastFailure - this.#since),
      failures: this.#failures,
    };
    this.#since = undefined;
    this.#failures = 0;
    this.#events.onAvailable?.(episode);
  }
}
