// The alarms fire on the failures they exist for. On the replica with its monitoring (a
// CloudWatch minute is one second here, Prometheus scrapes every second), each failure
// raises its alert within a stated bound, Alertmanager delivers it to the stack's receiver
// (the SNS e-mail's stand-in), and the alert resolves once the failure is over:
// - the database down → ApiTarget5xxRate (the API answers 503);
// - a slow database (a transaction holding the todos table's lock) → ApiP99Latency;
// - a SIGKILLed API instance → ApiTasksBelowDesired.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AlarmId } from '../../../infra/src/alarm-thresholds.ts';
import { alertName, alertWindows } from '../../monitoring/alert-rules.ts';
import type { Monitoring } from '../../monitoring/monitoring.ts';
import type { Topology } from '../../local/topology.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { MixedLoad } from '../support/mixed-load.ts';

const TIMING = { timeScale: 1 / 60, scrapeIntervalSeconds: 1 };
let topology: Topology;
let monitoring: Monitoring;
const rows: string[] = [];

beforeAll(async () => {
  topology = await startLoadTopology({
    api: 2,
    web: 1,
    database: { kind: 'throwaway' },
    monitoring: TIMING,
  });
  monitoring = topology.monitoring as Monitoring;
});

afterAll(async () => {
  console.log(
    `| failure | alert (CloudWatch alarm) | fired after | resolved after | bound |\n${rows.join('\n')}`,
  );
  await topology?.stop();
});

/**
 * The longest from the failure to the notification: the rate window to fill, `for` to pass,
 * a scrape and an evaluation each, Alertmanager's group wait (1 s), plus 3 s of slack for a
 * busy two-core machine.
 */
function boundMs(id: AlarmId): number {
  const { window, for: hold } = alertWindows(id, TIMING);
  return (window + hold + 2 * TIMING.scrapeIntervalSeconds + 1 + 3) * 1000;
}

/** Injects `fault`, waits for the alert, clears the fault, waits for it to resolve. */
async function expectAlert(
  failure: string,
  id: AlarmId,
  fault: () => Promise<void>,
  clear: () => Promise<void>,
  /** Added to the bound: how long the fault takes to show in answers (a stall: up to 8 s). */
  lagMs = 0,
): Promise<void> {
  const name = alertName(id);
  const bound = boundMs(id) + lagMs;
  const faultAt = Date.now();
  await fault();
  const fired = await monitoring.receiver.waitFor(name, 'firing', {
    since: faultAt,
    timeoutMs: bound,
  });
  expect(fired.cloudwatchAlarm).toBe(id);
  const clearAt = Date.now();
  await clear();
  const resolved = await monitoring.receiver.waitFor(name, 'resolved', {
    since: clearAt,
    timeoutMs: bound,
  });
  rows.push(
    `| ${failure} | ${name === id ? id : `${name} (${id})`} | ${((fired.receivedAt - faultAt) / 1000).toFixed(1)} s | ${((resolved.receivedAt - clearAt) / 1000).toFixed(1)} s | ${(bound / 1000).toFixed(0)} s |`,
  );
  expect(fired.receivedAt - faultAt).toBeLessThanOrEqual(bound);
  expect(resolved.receivedAt - clearAt).toBeLessThanOrEqual(bound);
}

async function withLoad<T>(run: () => Promise<T>, attemptTimeoutMs = 5_000): Promise<T> {
  const load = new MixedLoad({ baseUrl: topology.url, workers: 3, pauseMs: 30, attemptTimeoutMs });
  await load.start();
  try {
    return await run();
  } finally {
    await load.stop();
  }
}

async function firingAlerts(): Promise<string[]> {
  const body = (await (await fetch(`${monitoring.prometheusUrl}/api/v1/alerts`)).json()) as {
    data: { alerts: { state: string; labels: { alertname: string } }[] };
  };
  return body.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname);
}

test('under a steady load with nothing failing, no alert fires', async () => {
  await withLoad(() => sleep(6_000));
  expect(await firingAlerts()).toEqual([]);
  expect(monitoring.receiver.received.filter((a) => a.status === 'firing')).toEqual([]);
});

test('the database down: ApiTarget5xxRate fires, and resolves once it is back', async () => {
  await withLoad(() =>
    expectAlert(
      'database down',
      'ApiTarget5xxRate',
      () => topology.database.stop('fast'),
      () => topology.database.start(),
    ),
  );
});

test('the database stalls (a failover as it happens): ApiTarget5xxRate fires, and resolves', async () => {
  // Nothing is refused: requests wait on the frozen database until the API's own limits
  // (6 s for a statement, 2 s for a connection) turn them into 503s.
  try {
    await withLoad(
      () =>
        expectAlert(
          'database stalled (SIGSTOP)',
          'ApiTarget5xxRate',
          () => topology.database.freeze(),
          () => topology.database.thaw(),
          8_000,
        ),
      15_000,
    );
  } finally {
    await topology.database.thaw();
  }
});

test('a slow database: ApiP99Latency fires, and resolves once it is fast again', async () => {
  // A transaction that takes the todos table's lock for 1.3 s at a time: every read and
  // write of a todo waits behind it (below the API's lock_timeout, so they succeed slowly).
  const locker = new pg.Client({ connectionString: topology.database.url });
  await locker.connect();
  let slow = true;
  let holding: Promise<void> = Promise.resolve();
  try {
    await withLoad(() =>
      expectAlert(
        'slow database',
        'ApiP99Latency',
        () => {
          holding = (async () => {
            while (slow) {
              await locker.query('begin');
              await locker.query('lock table todos in access exclusive mode');
              await sleep(1_300);
              await locker.query('commit');
              await sleep(50);
            }
          })();
          return Promise.resolve();
        },
        async () => {
          slow = false;
          await holding;
        },
      ),
    );
  } finally {
    slow = false;
    await holding.catch(() => undefined);
    await locker.end();
  }
});

test('a SIGKILLed API instance: ApiTasksBelowDesired fires, and resolves once it is replaced', async () => {
  const victim = topology.get('api', 'b1');
  await expectAlert(
    'SIGKILL of api/b1',
    'ApiTasksBelowDesired',
    async () => {
      await topology.stopInstance(victim, 'SIGKILL');
    },
    async () => {
      await topology.startInstance(victim);
    },
  );
  await topology.waitHealthy(victim);
});
