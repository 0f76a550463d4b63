// Episodes of unavailability, as the log sees them: one line when one starts, one when it
// ends. The failure tests drive it with real faults (deploy/test/failure); this pins its
// rule on a clock of its own: an episode ends only after 5 s without a failure.
import { describe, expect, it } from 'vitest';
import { DatabaseAvailability } from '../../src/db/database-availability.ts';

const refused = Object.assign(new Error('password authentication failed'), { code: '28P01' });
const cutOff = Object.assign(new Error('Query read timeout'), {});

/** An availability tracker on a clock the test moves (`clock.ms`), with its log. */
function tracked() {
  const log: string[] = [];
  const clock = { ms: 0 };
  const availability = new DatabaseAvailability(
    {
      onUnavailable: () => log.push('unavailable'),
      onAvailable: ({ failures, downMs }) => log.push(`available after ${failures} in ${downMs}`),
    },
    { quietMs: 5_000, now: () => clock.ms },
  );
  return { availability, log, clock };
}

describe('DatabaseAvailability', () => {
  it('keeps one episode while old connections work and new ones are refused', () => {
    const { availability, log, clock } = tracked();
    for (let i = 0; i < 5; i++) {
      availability.failed(refused);
      clock.ms += 1_000;
      availability.succeeded();
    }
    expect(log).toEqual(['unavailable']);
    expect(availability.unavailable).toBe(true);
    clock.ms += 4_000; // 5 s since the last refusal
    availability.succeeded();
    expect(log).toEqual(['unavailable', 'available after 5 in 4000']);
    expect(availability.unavailable).toBe(false);
  });

  it('ends an episode with the first success after 5 s without a failure', () => {
    const { availability, log, clock } = tracked();
    availability.failed(cutOff);
    clock.ms += 100;
    // A terminated backend under one request, the next one fine elsewhere: one episode.
    availability.succeeded();
    availability.failed(cutOff);
    clock.ms += 4_999;
    availability.succeeded();
    expect(log).toEqual(['unavailable']);
    clock.ms += 1;
    availability.succeeded();
    expect(log).toEqual(['unavailable', 'available after 2 in 100']);
  });

  it('ignores errors that are not about the database being away', () => {
    const { availability, log } = tracked();
    availability.failed(Object.assign(new Error('duplicate key'), { code: '23505' }));
    availability.succeeded();
    expect(log).toEqual([]);
  });
});
