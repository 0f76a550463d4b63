// A database password rotated under load, as Secrets Manager's single-user rotation does it:
// `ALTER ROLE … PASSWORD` — connections already open keep working, every new one fails with
// 28P01 until the new password reaches the API. Here most connections churn at once (as
// after the pool's idle timeout) while the two oldest keep serving, and the new password is
// then delivered into the API's DB_PASSWORD_FILE. The API must answer 503 (never 500) meanwhile, log the episode
// once rather than per request, and recover without a restart; a redeployed instance (the
// path ECS takes, secrets being injected at task start) must come up with the new password.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createTestDatabase,
  startThrowawayCluster,
  type ThrowawayCluster,
} from '@cloud-todo/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Topology } from '../../local/topology.ts';
import { expectAcknowledgedMeansCommitted, firstWriteAfter } from '../support/committed.ts';
import { startLoadTopology } from '../support/load-topology.ts';
import { withClient } from '../support/with-client.ts';
import { errorsByOutcome, runUnderLoad } from '../support/scenario.ts';

const ROLE = 'cloud_todo_app';
let cluster: ThrowawayCluster;
let topology: Topology;
let secrets: string;
let adminUrl: string;

const admin = (run: (client: pg.Client) => Promise<unknown>) => withClient(adminUrl, run);

beforeAll(async () => {
  cluster = await startThrowawayCluster();
  const database = await createTestDatabase(cluster.url, 'rotation');
  adminUrl = database.url;
  // The application's own role, with a password; the migrations run as the owner.
  await admin(async (client) => {
    await client.query(`create role ${ROLE} login password 'first-password'`);
    await client.query(`grant usage on schema public to ${ROLE}`);
    await client.query(
      `alter default privileges in schema public grant select, insert, update, delete on tables to ${ROLE}`,
    );
  });
  await cluster.requirePasswordFor(ROLE);
  secrets = await mkdtemp(join(tmpdir(), 'cloud-todo-secret-'));
  await writeFile(join(secrets, 'db-password'), 'first-password\n', { mode: 0o600 });
  const appUrl = new URL(adminUrl);
  appUrl.username = ROLE;
  topology = await startLoadTopology({
    api: 2,
    web: 1,
    database: { kind: 'url', url: adminUrl },
    apiEnv: { DATABASE_URL: appUrl.toString(), DB_PASSWORD_FILE: join(secrets, 'db-password') },
  });
});

afterAll(async () => {
  await topology?.stop();
  await cluster?.destroy();
  if (secrets) await rm(secrets, { recursive: true, force: true });
});

test('password rotated under load: 503 until the new one arrives, no 500, no restart', async () => {
  const apis = topology.list('api');
  const pidsBefore = apis.map((i) => i.pid);
  const outputBefore = apis.map((i) => i.process?.output().length ?? 0);
  let rotatedAt = 0;
  let deliveredAt = 0;
  const outcome = await runUnderLoad({
    scenario: 'password rotated (new one delivered after 3 s)',
    topology,
    totalMs: 14_000,
    load: { keylessCreates: 0.3 },
    fault: async (load) => {
      rotatedAt = load.now();
      await admin(async (client) => {
        await client.query(`alter role ${ROLE} password 'second-password'`);
        // Connections churn: every new one now needs the new password. The two oldest
        // pooled connections stay, as on RDS: their successes must not end the episode.
        await client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where usename = '${ROLE}'
             and pid not in (select pid from pg_stat_activity where usename = '${ROLE}'
               and application_name = 'cloud-todo-api' order by backend_start limit 2)`,
        );
      });
      await sleep(3_000);
      await writeFile(join(secrets, 'db-password'), 'second-password\n');
      deliveredAt = load.now();
    },
  });
  const { load } = outcome;
  const refused = load.attempts.filter((a) => a.outcome === 503);
  const recovery = firstWriteAfter(outcome, deliveredAt);
  const logged = apis.map((instance, n) =>
    (instance.process?.output().slice(outputBefore[n]) ?? '')
      .split('\n')
      .filter((line) => /database unavailable|change listener/.test(line)),
  );
  console.log(
    `${refused.length} answers 503 while the password was stale; first write ${recovery?.toFixed(0)} ms after delivery; outage log lines per instance ${JSON.stringify(logged.map((l) => l.length))}\n${logged
      .flat()
      .map((l) => logMessage(l))
      .join('\n')}; errors ${JSON.stringify(errorsByOutcome(load))}`,
  );
  expectAcknowledgedMeansCommitted(outcome, topology, pidsBefore);
  expect(refused.length).toBeGreaterThan(5);
  // The old connections served meanwhile: writes succeeded between 503s.
  const servedMeanwhile = load.attempts.filter(
    (a) =>
      a.at > rotatedAt && a.at + a.ms < deliveredAt && (a.outcome === 200 || a.outcome === 201),
  );
  expect(servedMeanwhile.length).toBeGreaterThan(0);
  // The server refused the connection: certainly nothing written, and the client is told so.
  // (A statement cut off by the termination itself may be outcome-unknown.)
  const certain = refused.filter((a) => a.problemType === '/api/problems/database-unavailable');
  expect(certain.length).toBeGreaterThan(5);
  for (const a of refused) {
    expect(['/api/problems/database-unavailable', '/api/problems/outcome-unknown']).toContain(
      a.problemType,
    );
  }
  // Once per episode (the pool's, and the change listener's own connection), not per request.
  for (const lines of logged) expect(lines.length).toBeLessThanOrEqual(2);
  expect(logged.flat().length).toBeLessThan(refused.length);
  expect(recovery).toBeDefined();
  // Clients wait out Retry-After (capped at 2 s by the load client) before trying again.
  expect(recovery as number).toBeLessThan(5_000);

  // The ECS path: a new task reads the new secret at start and serves at once.
  const [first] = apis;
  await topology.replace(first as (typeof apis)[number]);
  const list = await fetch(`${topology.url}/api/lists`, { method: 'POST' });
  expect(list.status).toBe(201);
  expect((await topology.stat(first as (typeof apis)[number])).status).toMatch(/UP/);
});

/** A JSON log line as `time level msg: error code`, for the test's output. */
function logMessage(line: string): string {
  try {
    const { time, level, msg, err } = JSON.parse(line) as {
      time: number;
      level: number;
      msg: string;
      err?: { code?: string; message?: string };
    };
    return `${new Date(time).toISOString()} ${level} ${msg}: ${err?.code ?? ''} ${err?.message ?? ''}`;
  } catch {
    return line.slice(0, 220);
  }
}
