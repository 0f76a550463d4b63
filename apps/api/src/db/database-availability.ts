import { performance } from 'node:perf_hooks';
import { isDatabaseUnavailable } from './database-errors.ts';

export interface AvailabilityEvents {
  /** The first failure of an episode: the database cannot be used right now. */
  onUnavailable?(error: unknown): void;
  /** The first success after an episode, with how long it lasted and what failed meanwhile. */
  onAvailable?(episode: { downMs: number; failures: number }): void;
}

/** Where a failure or success happened: opening a connection, or a statement on one. */
export type DatabaseStage = 'connect' | 'statement';

/**
 * Turns a stream of failures and successes into episodes, so that an outage (or a rotated
 * password) is logged once when it starts and once when it ends, not once per request.
 *
 * An episode ends with a success after `quietMs` without a failure: a fault rarely fails every
 * request (a backend terminated under one request while the next succeeds elsewhere), and
 * without that hysteresis one fault would log a string of short episodes. An episode that new
 * connections are part of (refused, a wrong password, a timeout while connecting) ends only
 * once a new connection has opened: during a password rotation the pool's older connections
 * keep working while every new one fails with 28P01, for as long as the rotation lasts.
 */
export class DatabaseAvailability {
  readonly #events: AvailabilityEvents;
  readonly #quietMs: number;
  readonly #now: () => number;
  #since: number | undefined;
  #lastFailure = 0;
  #failures = 0;
  /** New connections failed in this episode, and none has opened since. */
  #connectsFailing = false;

  constructor(events: AvailabilityEvents, options: { quietMs?: number; now?: () => number } = {}) {
    this.#events = events;
    this.#quietMs = options.quietMs ?? 5_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** True while an episode is open. */
  get unavailable(): boolean {
    return this.#since !== undefined;
  }

  failed(error: unknown, stage: DatabaseStage): void {
    if (!isDatabaseUnavailable(error)) return;
    this.#failures += 1;
    this.#lastFailure = this.#now();
    if (stage === 'connect') this.#connectsFailing = true;
    if (this.#since === undefined) {
      this.#since = this.#lastFailure;
      this.#events.onUnavailable?.(error);
    }
  }

  succeeded(stage: DatabaseStage): void {
    if (stage === 'connect') this.#connectsFailing = false;
    if (this.#since === undefined || this.#connectsFailing) return;
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
