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
 * An episode that new connections are part of (refused, a wrong password, a timeout while
 * connecting) ends only with a new connection that opens: during a password rotation the
 * pool's older connections keep working while every new one fails with 28P01, and their
 * successes must not end the episode, only for the next failed connection to start another.
 */
export class DatabaseAvailability {
  readonly #events: AvailabilityEvents;
  #since: number | undefined;
  #failures = 0;
  /** New connections failed in this episode, and none has opened since. */
  #connectsFailing = false;

  constructor(events: AvailabilityEvents) {
    this.#events = events;
  }

  /** True while an episode is open. */
  get unavailable(): boolean {
    return this.#since !== undefined;
  }

  failed(error: unknown, stage: DatabaseStage): void {
    if (!isDatabaseUnavailable(error)) return;
    this.#failures += 1;
    if (stage === 'connect') this.#connectsFailing = true;
    if (this.#since === undefined) {
      this.#since = performance.now();
      this.#events.onUnavailable?.(error);
    }
  }

  succeeded(stage: DatabaseStage): void {
    if (stage === 'connect') this.#connectsFailing = false;
    if (this.#since === undefined || this.#connectsFailing) return;
    const episode = {
      downMs: Math.round(performance.now() - this.#since),
      failures: this.#failures,
    };
    this.#since = undefined;
    this.#failures = 0;
    this.#events.onAvailable?.(episode);
  }
}
