// The local stand-in for an RDS Multi-AZ failover: the database goes away for a few
// seconds and comes back at the same address. While it is down the API answers 503 with
// Retry-After (fast, never hanging); afterwards it recovers by itself — no API process is
// restarted — and nothing the client saw acknowledged is lost. It also guards against the
// crash this test found: a pooled connection that PostgreSQL ends while it is checked out
// emits 'error', which must have a listener (apps/api/src/db/database.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Topology } from '../../local/topology.ts';
import { expectSameApiProcesses } from '../support/committed.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { errorsByOutcome, runUnderLoad } from '../support/scenario.ts';

const OUTAGE_MS = 5_000;
let topology: Topology;

beforeAll(async () => {
  topology = await startLoadTopology({ api: 2, web: 1, database: { kind: 'throwaway' } });
});

afterAll(async () => {
  await topology?.stop();
});

test('database restart: 503s while it is down, recovery without restarting the API', async () => {
  const apis = topology.list('api');
  const pidsBefore = apis.map((i) => i.pid);
  let upAt = 0;
  let downAt = 0;
  const outcome = await runUnderLoad({
    scenario: `database restart (${OUTAGE_MS / 1000} s down)`,
    topology,
    totalMs: 18_000,
    fault: async (load) => {
      await topology.database.stop('fast');
      downAt = load.now();
      await sleep(OUTAGE_MS);
      await topology.database.start();
      upAt = load.now();
    },
  });
  const { load, check, row } = outcome;
  const errors = errorsByOutcome(load);
  const firstSuccessAfterUp = load.attempts.find(
    (a) => a.at >= upAt && a.op !== 'page' && (a.outcome === 200 || a.outcome === 201),
  );
  console.log(
    `database down for ${((upAt - downAt) / 1000).toFixed(1)} s; first success ${
      firstSuccessAfterUp
        ? `${(firstSuccessAfterUp.at + firstSuccessAfterUp.ms - upAt).toFixed(0)} ms`
        : 'never'
    } after it was back; errors ${JSON.stringify(errors)}`,
  );
  // The same processes served before and after: recovery without a restart.
  expectSameApiProcesses(topology, pidsBefore);
  expect(check.findings).toEqual([]);
  expect(load.unexpected).toEqual([]);
  // The API's own 503s (problem+json with Retry-After), not the load balancer's.
  const api503 = load.attempts.filter(
    (a) => a.outcome === 503 && a.problem === true && (a.retryAfter ?? 0) > 0,
  );
  expect(api503.length).toBeGreaterThan(0);
  // Fast failure, not hanging requests: no attempt ran into the client's timeout.
  expect(errors.timeout ?? 0).toBe(0);
  expect(row.gaveUp).toBe(0);
  expect(row.lost).toBe(0);
  expect(row.duplicated).toBe(0);
  expect(firstSuccessAfterUp).toBeDefined();
  // The load did not stop at the outage: writes were acknowledged after it.
  const writesAfter = load.attempts.filter(
    (a) =>
      a.at > upAt &&
      (a.op === 'create' || a.op === 'update') &&
      (a.outcome === 200 || a.outcome === 201),
  );
  expect(writesAfter.length).toBeGreaterThan(50);
});
