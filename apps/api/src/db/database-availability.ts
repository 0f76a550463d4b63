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
 */
export class DatabaseAvailability {
  readonly #events: AvailabilityEvents;
  #since: number | undefined;
  #failures = 0;

  constructor(events: AvailabilityEvents) {
    this.#events = events;
  }

  /** True while an episode is open. */
  get unavailable(): boolean {
    return this.#since !== undefined;
  }

  failed(error: unknown): void {
    if (!isDatabaseUnavailable(error)) return;
    this.#failures += 1;
    if (this.#since === undefined) {
      this.#since = performance.now();
      this.#events.onUnavailable?.(error);
    }
  }

  succeeded(): void {
    if (this.#since === undefined) return;
    const episode = {
      downMs: Math.round(performance.now() - this.#since),
      failures: this.#failures,
    };
    this.#since = undefined;
    this.#failures = 0;
    this.#events.onAvailable?.(episode);
  }
}
