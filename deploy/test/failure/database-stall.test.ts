// An RDS Multi-AZ failover as the API sees it: the database stops answering without refusing
// anything (SIGSTOP of the whole cluster), for 8 s and for 70 s, under keyed and keyless
// creates and updates. The API must answer 503 within its own timeouts while it lasts, and
// afterwards every acknowledged write must be in the database — the defect this guards
// against lost about 60 % of the writes acknowledged right after a stall.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Topology } from '../../local/topology.ts';
import { expectAcknowledgedMeansCommitted, firstWriteAfter } from '../support/committed.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { errorsByOutcome, runUnderLoad } from '../support/scenario.ts';

let topology: Topology;

beforeAll(async () => {
  topology = await startLoadTopology({ api: 2, web: 1, database: { kind: 'throwaway' } });
});

afterAll(async () => {
  await topology?.database.thaw().catch(() => undefined);
  await topology?.stop();
});

async function stall(stallMs: number) {
  const pidsBefore = topology.list('api').map((i) => i.pid);
  let frozenAt = 0;
  let thawedAt = 0;
  const outcome = await runUnderLoad({
    scenario: `database stall (SIGSTOP ${stallMs / 1000} s)`,
    topology,
    totalMs: stallMs + 12_000,
    load: {
      keylessCreates: 0.3,
      // Ride out the whole stall: every operation keeps retrying until the database is back.
      maxRetryMs: stallMs + 20_000,
      maxAttempts: 1_000,
      // Above the API's own bound (6 s statement + 2 s pool), so that every answer is seen.
      attemptTimeoutMs: 15_000,
    },
    fault: async (load) => {
      await topology.database.freeze();
      frozenAt = load.now();
      await sleep(stallMs);
      await topology.database.thaw();
      thawedAt = load.now();
    },
  });
  const { load } = outcome;
  const during = load.attempts.filter(
    (a) => a.at >= frozenAt && a.at + a.ms <= thawedAt && a.op !== 'page',
  );
  const slowest503 = Math.max(0, ...during.filter((a) => a.outcome === 503).map((a) => a.ms));
  const recovery = firstWriteAfter(outcome, thawedAt);
  const unknown = load.attempts.filter(
    (a) => a.problemType === '/api/problems/outcome-unknown',
  ).length;
  console.log(
    `stall ${stallMs / 1000} s: slowest 503 ${slowest503.toFixed(0)} ms, ${unknown} outcome-unknown, first write ${recovery?.toFixed(0)} ms after the thaw; errors ${JSON.stringify(errorsByOutcome(load))}`,
  );
  expectAcknowledgedMeansCommitted(outcome, topology, pidsBefore);
  // Fast failure while it lasts: every attempt answered (no client timeout), none hung longer
  // than the API's bound of 6 s per statement + 2 s for a connection, with room for the machine.
  expect(errorsByOutcome(load).timeout ?? 0).toBe(0);
  expect(during.filter((a) => a.outcome === 503).length).toBeGreaterThan(0);
  expect(slowest503).toBeLessThan(10_000);
  // Back to work by itself, and the load went on after it.
  expect(recovery).toBeDefined();
  const writesAfter = load.attempts.filter(
    (a) =>
      a.at > thawedAt &&
      (a.op === 'create' || a.op === 'update') &&
      (a.outcome === 200 || a.outcome === 201),
  );
  expect(writesAfter.length).toBeGreaterThan(20);
  return outcome;
}

test('database stalls 8 s: 503 while frozen, nothing acknowledged is lost', async () => {
  await stall(8_000);
});

test('database stalls 70 s (a slow Multi-AZ failover): the same, and no retry gives up', async () => {
  await stall(70_000);
});
