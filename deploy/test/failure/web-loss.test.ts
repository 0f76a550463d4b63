// The loss of one web (nginx) instance while people load pages: page loads keep working,
// because HAProxy re-sends a GET whose connection failed to the other instance and its
// health checks take the dead one out.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Topology } from '../../local/topology.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { errorsByOutcome, runUnderLoad } from '../support/scenario.ts';

let topology: Topology;

beforeAll(async () => {
  topology = await startLoadTopology({ api: 1, web: 2 });
});

afterAll(async () => {
  await topology?.stop();
});

test('loss of a web instance: page loads keep working', async () => {
  const victim = topology.get('web', 'a1');
  const outcome = await runUnderLoad({
    scenario: 'loss of one web instance',
    topology,
    load: { mix: { create: 10, update: 10, read: 10, page: 70 } },
    totalMs: 12_000,
    fault: async () => {
      await topology.stopInstance(victim, 'SIGKILL');
      await topology.waitDown(victim);
    },
  });
  const { load, check, row, faultAt } = outcome;
  expect(check.findings).toEqual([]);
  expect(load.unexpected).toEqual([]);
  expect(row.gaveUp).toBe(0);
  expect(row.lost).toBe(0);
  expect(row.duplicated).toBe(0);
  const pagesAfter = load.attempts.filter((a) => a.op === 'page' && a.at > faultAt);
  expect(pagesAfter.length).toBeGreaterThan(100);
  expect(
    pagesAfter.filter((a) => a.outcome !== 200).length,
    JSON.stringify(errorsByOutcome(load)),
  ).toBe(0);
  expect((await topology.stat(topology.get('web', 'b1'))).status).toBe('UP');
});
