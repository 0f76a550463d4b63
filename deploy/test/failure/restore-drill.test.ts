// The restore drill: RDS point-in-time restore rehearsed on the replica with pgBackRest.
// Under the mixed load a base backup is taken, writes go on, a target time is noted, writes
// go on, then the disaster: the todos table is dropped. The replica is restored to the
// target and the API instances come back on it. The ledger says what was kept and lost:
// nothing acknowledged before the target may be missing, nothing sent after it may be
// present; RPO and RTO are measured, and each phase is timed.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PgBackRest, pgdataOf } from '../../local/pgbackrest.ts';
import { restoreReplica, type RestoreReport } from '../../local/replica-restore.ts';
import type { Topology } from '../../local/topology.ts';
import { checkLedger } from '../support/check-ledger.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { MixedLoad } from '../support/mixed-load.ts';
import { checkRestoredAt } from './restore-drill-ledger.ts';

let topology: Topology;

beforeAll(async () => {
  topology = await startLoadTopology({ api: 2, web: 1, database: { kind: 'archived' } });
});

afterAll(async () => {
  await topology?.stop();
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${topology.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2_000),
  });
}

/** Tries a write every 100 ms until one succeeds; resolves with when (ms since `clock`'s zero). */
async function firstSuccessfulWrite(listId: string, now: () => number): Promise<number> {
  for (let i = 0; ; i++) {
    const status = await post(`/api/lists/${listId}/todos`, { title: `probe ${i}` })
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 201) return now();
    if (i > 1_200) throw new Error('no write succeeded within two minutes of the disaster');
    await sleep(100);
  }
}

test('restore drill: point-in-time restore keeps every write acknowledged before the target', async () => {
  const replica = topology.database.replica;
  if (!replica) throw new Error('the drill needs the archived database');
  const pgbackrest = new PgBackRest(replica);
  const load = new MixedLoad({ baseUrl: topology.url, workers: 4 });
  const probeList = (await (await post('/api/lists', { title: 'probe' })).json()) as { id: string };
  await load.start();
  await sleep(2_000);

  const backupStart = load.now();
  await pgbackrest.backup('full');
  const backupMs = load.now() - backupStart;
  await sleep(3_000);
  const targetAt = load.now();
  const target = new Date();
  await sleep(2_000);
  const result = await load.stop();

  // The disaster: a deploy's bad migration, or an operator in the wrong terminal.
  const disasterAt = load.now();
  const admin = new pg.Client({ connectionString: topology.database.url });
  await admin.connect();
  await admin.query('drop table todos');
  await admin.end();

  const lines: string[] = [];
  const rto = firstSuccessfulWrite(probeList.id, () => load.now());
  const report: RestoreReport = await restoreReplica(
    {
      replica,
      databaseUrl: topology.database.url,
      adminSocket: topology.admin.socketPath,
      apis: topology.list('api').map((i) => ({ name: i.name, port: i.port })),
    },
    target,
    (line) => lines.push(line),
  );
  const firstWriteAt = await rto;
  console.log(lines.join('\n'));

  const check = await checkRestoredAt(topology.database.url, result.ledger, targetAt);
  const rpoMs = disasterAt - check.lastRecoveredWriteAt;
  const rtoMs = firstWriteAt - disasterAt;
  const phases = [
    `backup ${(backupMs / 1000).toFixed(1)} s`,
    ...report.phases.map((p) => `${p.phase} ${(p.ms / 1000).toFixed(1)} s`),
  ].join(', ');
  console.log(
    `| acknowledged writes | before the target (missing) | after the target, lost | sent after the target, present | RPO | RTO | phases |\n` +
      `| ${result.ledger.acknowledgedWrites} | ${check.acknowledgedBeforeTarget} (${check.missingBeforeTarget}) | ${check.lostAfterTarget} | ${check.presentAfterTarget} | ${(rpoMs / 1000).toFixed(1)} s | ${(rtoMs / 1000).toFixed(1)} s | ${phases} |`,
  );

  expect(result.unexpected).toEqual([]);
  expect(result.gaveUp).toBe(0);
  expect(check.findings).toEqual([]);
  expect(check.missingBeforeTarget).toBe(0);
  expect(check.presentAfterTarget).toBe(0);
  expect(check.acknowledgedBeforeTarget).toBeGreaterThan(100);
  // Two seconds of writes went on after the target: the restore took them back.
  expect(check.lostAfterTarget).toBeGreaterThan(10);
  // The newest recovered write is the last one before the target (writes come every few ms).
  expect(check.lastRecoveredWriteAt).toBeLessThanOrEqual(targetAt);
  expect(targetAt - check.lastRecoveredWriteAt).toBeLessThan(2_000);
  expect(rtoMs).toBeLessThan(60_000);
  expect(report.phases.map((p) => p.phase)).toEqual([
    'drain',
    'archive',
    'stop',
    'restore',
    'recovery',
    'apis',
  ]);

  // The replica serves again, archives again (a new timeline), and loses nothing.
  await pgbackrest.check();
  const after = new MixedLoad({ baseUrl: topology.url, workers: 4 });
  await after.start();
  await sleep(2_000);
  const afterResult = await after.stop();
  const afterCheck = await checkLedger(topology.database.url, afterResult.ledger);
  expect(afterCheck.findings).toEqual([]);
  expect(afterResult.unexpected).toEqual([]);
  expect(afterResult.ledger.acknowledgedWrites).toBeGreaterThan(20);
});

test('the data folder deleted: restored to the end of the archive, which bounds the loss', async () => {
  const replica = topology.database.replica;
  if (!replica) throw new Error('the drill needs the archived database');
  const load = new MixedLoad({ baseUrl: topology.url, workers: 4 });
  await load.start();
  await sleep(2_000);
  // What archive_timeout does at most every 60 s: switch to a new WAL segment and archive
  // the finished one. Writes acknowledged before the switch are in the archive; writes sent
  // after it is archived are only in the data folder.
  const switchAt = load.now();
  await new PgBackRest(replica).check();
  const archivedAt = load.now();
  await sleep(2_000);
  const result = await load.stop();

  // The disaster: the disk under PGDATA is gone while the server runs.
  const disasterAt = load.now();
  await rm(pgdataOf(replica), { recursive: true, force: true, maxRetries: 5 });
  const lines: string[] = [];
  const report = await restoreReplica(
    {
      replica,
      databaseUrl: topology.database.url,
      adminSocket: topology.admin.socketPath,
      apis: topology.list('api').map((i) => ({ name: i.name, port: i.port })),
    },
    'latest',
    (line) => lines.push(line),
  );
  const restoredAt = load.now();
  console.log(lines.join('\n'));
  const check = await checkRestoredAt(topology.database.url, result.ledger, switchAt, archivedAt);
  console.log(
    `data folder deleted: ${check.acknowledgedBeforeTarget} writes acknowledged before the last archived segment (${check.missingBeforeTarget} missing), ${check.lostAfterTarget} acknowledged later lost, RPO ${((disasterAt - check.lastRecoveredWriteAt) / 1000).toFixed(1)} s, restore ${((restoredAt - disasterAt) / 1000).toFixed(1)} s`,
  );
  expect(lines.join('\n')).toContain('WAL not yet archived is lost');
  expect(lines.join('\n')).toContain('its data folder is gone');
  expect(check.findings).toEqual([]);
  expect(check.missingBeforeTarget).toBe(0);
  expect(check.acknowledgedBeforeTarget).toBeGreaterThan(20);
  expect(check.lostAfterTarget).toBeGreaterThan(10);
  expect(report.phases.map((p) => p.phase)).toContain('apis');
  const after = await post(`/api/lists`, { title: 'after the data folder was lost' });
  expect(after.status).toBe(201);
});
