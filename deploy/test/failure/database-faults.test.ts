// The other database faults RDS produces besides a failover, under the mixed load: maintenance
// (or an operator) terminating the API's backends, and a database too slow to answer in time
// because a lock is held longer than the statement timeout. Each ends with the same checks as
// the stall: nothing acknowledged lost, nothing duplicated, only 503s, no open transaction.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Topology } from '../../local/topology.ts';
import { expectAcknowledgedMeansCommitted, firstWriteAfter } from '../support/committed.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { withClient } from '../support/with-client.ts';
import { errorsByOutcome, runUnderLoad } from '../support/scenario.ts';

let topology: Topology;

beforeAll(async () => {
  topology = await startLoadTopology({ api: 2, web: 1, database: { kind: 'throwaway' } });
});

afterAll(async () => {
  await topology?.stop();
});

const withAdmin = <T>(run: (client: pg.Client) => Promise<T>) =>
  withClient(topology.database.url, run);

test('every API backend terminated, three times: nothing lost, recovery by itself', async () => {
  const pidsBefore = topology.list('api').map((i) => i.pid);
  let terminated = 0;
  let lastAt = 0;
  const outcome = await runUnderLoad({
    scenario: 'backends terminated (3 × every API connection)',
    topology,
    totalMs: 12_000,
    load: { keylessCreates: 0.3 },
    fault: async (load) => {
      for (let round = 0; round < 3; round += 1) {
        terminated += await withAdmin(async (admin) => {
          const result = await admin.query(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'cloud-todo-api'",
          );
          return result.rowCount ?? 0;
        });
        lastAt = load.now();
        await sleep(1_000);
      }
    },
  });
  const recovery = firstWriteAfter(outcome, lastAt);
  console.log(
    `${terminated} backends terminated; first write ${recovery?.toFixed(0)} ms after the last round; errors ${JSON.stringify(errorsByOutcome(outcome.load))}`,
  );
  expect(terminated).toBeGreaterThan(2);
  expectAcknowledgedMeansCommitted(outcome, topology, pidsBefore);
  expect(recovery).toBeDefined();
});

test('a lock held longer than the statement timeout: 503 at the lock timeout, full recovery', async () => {
  const pidsBefore = topology.list('api').map((i) => i.pid);
  const holdMs = 8_000;
  let releasedAt = 0;
  let lockedAt = 0;
  const outcome = await runUnderLoad({
    scenario: `slow database (todos locked ${holdMs / 1000} s)`,
    topology,
    totalMs: holdMs + 10_000,
    load: { keylessCreates: 0.3, attemptTimeoutMs: 15_000 },
    fault: async (load) => {
      await withAdmin(async (admin) => {
        await admin.query('begin');
        await admin.query('lock table todos in access exclusive mode');
        lockedAt = load.now();
        await sleep(holdMs);
        await admin.query('commit');
        releasedAt = load.now();
      });
    },
  });
  const { load } = outcome;
  const during = load.attempts.filter(
    (a) => a.at >= lockedAt && a.at + a.ms <= releasedAt && a.op !== 'page',
  );
  const blocked = during.filter((a) => a.outcome === 503);
  const slowest = Math.max(0, ...blocked.map((a) => a.ms));
  const recovery = firstWriteAfter(outcome, releasedAt);
  console.log(
    `lock held ${holdMs / 1000} s: ${blocked.length} 503s, slowest ${slowest.toFixed(0)} ms; first write ${recovery?.toFixed(0)} ms after release; errors ${JSON.stringify(errorsByOutcome(load))}`,
  );
  expectAcknowledgedMeansCommitted(outcome, topology, pidsBefore);
  expect(blocked.length).toBeGreaterThan(0);
  // The server refused them (lock_timeout, 2 s): nothing was written, and clients were told so.
  for (const a of blocked) expect(a.problemType).toBe('/api/problems/database-unavailable');
  expect(slowest).toBeLessThan(5_000);
  expect(recovery).toBeDefined();
  // Clients wait out Retry-After (capped at 2 s by the load client) before trying again.
  expect(recovery as number).toBeLessThan(5_000);
});
