// An ECS rolling deployment, locally: each API instance in turn is deregistered (drained
// through HAProxy's runtime API), stopped with SIGTERM once idle, replaced on the same
// port and registered again once healthy — under load, with no failed request at all.
import { afterAll, beforeAll, expect, test } from 'vitest';
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

test('rolling restart of every API instance: zero failed requests, nothing lost', async () => {
  const apis = topology.list('api');
  const pidsBefore = apis.map((i) => i.pid);
  const servedAfterReplace = new Map<string, number>();
  const outcome = await runUnderLoad({
    scenario: `rolling restart (${apis.length} api)`,
    topology,
    totalMs: 16_000,
    fault: async () => {
      for (const instance of apis) {
        const started = Date.now();
        await topology.replace(instance);
        console.log(`${instance.id} replaced in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        servedAfterReplace.set(instance.name, (await topology.stat(instance)).total);
      }
    },
  });
  const { load, check, row } = outcome;
  expect(check.findings).toEqual([]);
  expect(load.unexpected).toEqual([]);
  expect(row.errors, JSON.stringify(errorsByOutcome(load))).toBe(0);
  expect(row.retries).toBe(0);
  expect(row.gaveUp).toBe(0);
  expect(row.lost).toBe(0);
  expect(row.duplicated).toBe(0);
  expect(load.staleReads).toBe(0);
  expect(row.writes).toBeGreaterThan(100);
  // Every instance was really replaced, and the replacement took traffic again.
  expect(apis.map((i) => i.pid).every((pid, n) => pid !== undefined && pid !== pidsBefore[n])).toBe(
    true,
  );
  for (const instance of apis) {
    expect((await topology.stat(instance)).total).toBeGreaterThan(
      servedAfterReplace.get(instance.name) ?? Infinity,
    );
  }
});
