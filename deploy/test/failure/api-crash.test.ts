// A task that dies (SIGKILL: no drain, no graceful shutdown) under load. Requests in
// flight on it fail; the client retries them (creates with their Idempotency-Key), so
// every acknowledged write is stored exactly once, and the errors stop once HAProxy's
// health checks have taken the target out. Then the replacement comes up and is used.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { detectionTimeMs } from '../../local/haproxy-config.ts';
import type { Topology } from '../../local/topology.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { errorsByOutcome, runUnderLoad } from '../support/scenario.ts';

let topology: Topology;

beforeAll(async () => {
  topology = await startLoadTopology({ api: 2, web: 1 });
});

afterAll(async () => {
  await topology?.stop();
});

test('SIGKILL of one API instance: every acknowledged write stored exactly once', async () => {
  const victim = topology.get('api', 'b1');
  let detectedMs = 0;
  const outcome = await runUnderLoad({
    scenario: 'SIGKILL of one api instance',
    topology,
    totalMs: 15_000,
    fault: async () => {
      const killed = Date.now();
      await topology.stopInstance(victim, 'SIGKILL');
      await topology.waitDown(victim);
      detectedMs = Date.now() - killed;
      console.log(`${victim.id} killed; HAProxy took it out after ${detectedMs} ms`);
      // ECS starts a replacement task; it is registered once healthy.
      await topology.startInstance(victim);
      await topology.waitHealthy(victim);
    },
  });
  const { load, check, row } = outcome;
  expect(check.findings).toEqual([]);
  expect(load.unexpected).toEqual([]);
  expect(row.gaveUp).toBe(0);
  expect(row.lost).toBe(0);
  expect(row.duplicated).toBe(0);
  expect(load.staleReads).toBe(0);
  expect(row.writes).toBeGreaterThan(100);
  // The error window is bounded by the health checks' detection (fall × inter + timeout),
  // plus the last retry's backoff.
  expect(detectedMs).toBeLessThanOrEqual(detectionTimeMs(topology.healthCheck) + 2_000);
  expect(row.recoveryMs, JSON.stringify(errorsByOutcome(load))).toBeLessThanOrEqual(
    detectionTimeMs(topology.healthCheck) + 2_000,
  );
  expect((await topology.stat(victim)).status).toBe('UP');
});
