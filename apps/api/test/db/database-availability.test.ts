// Episodes of unavailability, as the log sees them: one line when one starts, one when it
// ends. The failure tests drive it with real faults (deploy/test/failure); this pins the
// rule that a rotated password needs: successes on old connections do not end an episode
// that new connections are still failing.
import { describe, expect, it } from 'vitest';
import { DatabaseAvailability } from '../../src/db/database-availability.ts';

const refused = Object.assign(new Error('password authentication failed'), { code: '28P01' });
const cutOff = Object.assign(new Error('Query read timeout'), {});

function tracked() {
  const log: string[] = [];
  const availability = new DatabaseAvailability({
    onUnavailable: () => log.push('unavailable'),
    onAvailable: ({ failures }) => log.push(`available after ${failures}`),
  });
  return { availability, log };
}

describe('DatabaseAvailability', () => {
  it('keeps one episode while old connections work and new ones are refused', () => {
    const { availability, log } = tracked();
    for (let i = 0; i < 5; i++) {
      availability.failed(refused, 'connect');
      availability.succeeded('statement');
    }
    expect(log).toEqual(['unavailable']);
    expect(availability.unavailable).toBe(true);
    availability.succeeded('connect');
    expect(log).toEqual(['unavailable', 'available after 5']);
    expect(availability.unavailable).toBe(false);
  });

  it('ends an episode of failed statements with the next statement that succeeds', () => {
    const { availability, log } = tracked();
    availability.failed(cutOff, 'statement');
    availability.failed(cutOff, 'statement');
    availability.succeeded('statement');
    expect(log).toEqual(['unavailable', 'available after 2']);
  });

  it('ignores errors that are not about the database being away', () => {
    const { availability, log } = tracked();
    availability.failed(Object.assign(new Error('duplicate key'), { code: '23505' }), 'statement');
    availability.succeeded('statement');
    expect(log).toEqual([]);
  });
});
