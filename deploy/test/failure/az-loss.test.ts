// The loss of a whole availability zone: every API and web instance of AZ b dies at once.
// The app keeps serving — API calls and page loads — from AZ a, and nothing acknowledged
// is lost or stored twice.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { detectionTimeMs } from '../../local/haproxy-config.ts';
import type { Topology } from '../../local/topology.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { errorsByOutcome, runUnderLoad } from '../support/scenario.ts';

let topology: Topology;

beforeAll(async () => {
  topology = await startLoadTopology({ api: 2, web: 2 });
});

afterAll(async () => {
  await topology?.stop();
});

test('loss of AZ b: the app keeps serving from AZ a', async () => {
  const zoneB = topology.instances.filter((i) => i.az === 'b');
  expect(zoneB.map((i) => i.id).sort()).toEqual(['api/b1', 'web/b1']);
  const outcome = await runUnderLoad({
    scenario: 'loss of AZ b (api + web)',
    topology,
    load: { mix: { create: 30, update: 30, read: 20, page: 20 } },
    totalMs: 15_000,
    fault: async () => {
      await Promise.all(zoneB.map((i) => topology.stopInstance(i, 'SIGKILL')));
      await Promise.all(zoneB.map((i) => topology.waitDown(i)));
    },
  });
  const { load, check, row, faultAt } = outcome;
  expect(check.findings).toEqual([]);
  expect(load.unexpected).toEqual([]);
  expect(row.gaveUp).toBe(0);
  expect(row.lost).toBe(0);
  expect(row.duplicated).toBe(0);
  expect(load.staleReads).toBe(0);
  // After detection, AZ a alone serves everything: API calls and page loads.
  const settled = faultAt + detectionTimeMs(topology.healthCheck) + 2_000;
  const after = load.attempts.filter((a) => a.at > settled);
  expect(after.filter((a) => a.op === 'page' && a.outcome === 200).length).toBeGreaterThan(20);
  expect(
    after.filter((a) => a.op !== 'page' && a.outcome !== 200 && a.outcome !== 201).length,
    JSON.stringify(errorsByOutcome(load)),
  ).toBe(0);
  expect(after.length).toBeGreaterThan(200);
  for (const instance of topology.instances.filter((i) => i.az === 'a')) {
    expect((await topology.stat(instance)).status).toBe('UP');
  }
});
