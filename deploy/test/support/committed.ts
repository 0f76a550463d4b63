import { expect } from 'vitest';
import type { Topology } from '../../local/topology.ts';
import { errorsByOutcome, type ScenarioOutcome } from './scenario.ts';

/**
 * "Acknowledged means committed" (docs/operations.md): what every database-fault scenario
 * must show, whatever the fault. Nothing acknowledged is lost; nothing is stored twice, keyed
 * or keyless (a keyless create is repeated only when the API said nothing was written); the
 * only 5xx is the API's own 503 with Retry-After; no transaction is left open; no operation
 * gave up; and no API process was restarted to get there.
 */
export function expectAcknowledgedMeansCommitted(
  outcome: ScenarioOutcome,
  topology: Topology,
  pidsBefore: readonly (number | undefined)[],
): void {
  const { load, check, row } = outcome;
  const errors = JSON.stringify(errorsByOutcome(load));
  expect(check.findings).toEqual([]);
  expect(load.unexpected).toEqual([]);
  expect(row.lost).toBe(0);
  expect(row.duplicated).toBe(0);
  expect(row.other5xx, errors).toBe(0);
  expect(row.idleInTransaction).toBe(0);
  expect(row.gaveUp, errors).toBe(0);
  for (const a of load.attempts) {
    if (a.outcome === 503 && a.problem === true) expect(a.retryAfter).toBeGreaterThan(0);
  }
  expectSameApiProcesses(topology, pidsBefore);
}

/** Recovery without a restart: every API instance still runs, as the same process as before. */
export function expectSameApiProcesses(
  topology: Topology,
  pidsBefore: readonly (number | undefined)[],
): void {
  const apis = topology.list('api');
  for (const instance of apis) {
    expect(
      instance.running,
      `${instance.id} died:\n${instance.process?.output().slice(-3000)}`,
    ).toBe(true);
  }
  expect(apis.map((i) => i.pid)).toEqual(pidsBefore);
}

/** From `since` (ms on the load's clock) to the end of the first successful write after it. */
export function firstWriteAfter(outcome: ScenarioOutcome, since: number): number | undefined {
  const first = outcome.load.attempts.find(
    (a) =>
      a.at >= since &&
      (a.op === 'create' || a.op === 'update') &&
      (a.outcome === 200 || a.outcome === 201),
  );
  return first === undefined ? undefined : first.at + first.ms - since;
}
