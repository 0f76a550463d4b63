import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from './with-client.ts';
import type { Topology } from '../../local/topology.ts';
import { checkLedger, type LedgerCheck } from './check-ledger.ts';
import { MixedLoad, type LoadOptions, type LoadResult } from './mixed-load.ts';

/** One line of the failure-test table. */
export interface ScenarioRow {
  readonly scenario: string;
  /** Operations the client issued (a retried one counts once). */
  readonly requests: number;
  /** Operations that succeeded; `writes` of them were creates or updates. */
  readonly acknowledged: number;
  readonly writes: number;
  /** Failed attempts the client saw, retried or not. */
  readonly errors: number;
  readonly retries: number;
  readonly gaveUp: number;
  /** Keyless creates the client could not know the fate of (not retried, maybe stored). */
  readonly uncertain: number;
  readonly lost: number;
  /** Keyed and keyless creates stored more than once. */
  readonly duplicated: number;
  /** Answers 5xx other than 503 (a 500 is a bug; a 502/504 comes from the balancer). */
  readonly other5xx: number;
  /** API sessions left `idle in transaction` for more than 2 s once the load stopped. */
  readonly idleInTransaction: number;
  /** From the fault to the end of the last failed attempt, in ms (0 without errors). */
  readonly recoveryMs: number;
}

export interface ScenarioOutcome {
  readonly load: LoadResult;
  readonly check: LedgerCheck;
  readonly row: ScenarioRow;
  /** Time of the fault, ms since the load started. */
  readonly faultAt: number;
}

const HEADER =
  '| scenario | requests | acknowledged (writes) | client-visible errors | retries | gave up | uncertain | lost | duplicated | 5xx other than 503 | idle in transaction | time to recover |';

export function formatRow(row: ScenarioRow): string {
  const recovery = row.recoveryMs === 0 ? 'no errors' : `${(row.recoveryMs / 1000).toFixed(1)} s`;
  return `| ${row.scenario} | ${row.requests} | ${row.acknowledged} (${row.writes}) | ${row.errors} | ${row.retries} | ${row.gaveUp} | ${row.uncertain} | ${row.lost} | ${row.duplicated} | ${row.other5xx} | ${row.idleInTransaction} | ${recovery} |`;
}

/** How long an API session must sit `idle in transaction` to count as leaked. */
const LEAK_AGE_MS = 2_000;

/**
 * API sessions that have sat `idle in transaction` for more than 2 s: leaked transactions
 * (a request's own transaction waits between its statements for milliseconds). The server's
 * `idle_in_transaction_session_timeout` (10 s) ends older leaks, so this sees those of the
 * scenario's last seconds; the ledger sees what any leak did to acknowledged writes.
 */
export async function leakedTransactions(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const result = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where application_name = 'cloud-todo-api' and state like 'idle in transaction%'
          and now() - state_change > make_interval(secs => $1)`,
      [LEAK_AGE_MS / 1000],
    );
    return result.rows[0]?.n ?? 0;
  });
}

/**
 * Runs the steady mixed load through the topology's load balancer, injects the fault after
 * a warm-up, keeps the load on until `totalMs`, then checks the database against every
 * write the client saw acknowledged and prints the scenario's row.
 */
export async function runUnderLoad(options: {
  readonly scenario: string;
  readonly topology: Topology;
  readonly load?: Omit<LoadOptions, 'baseUrl'>;
  /** Load before the fault, in ms. Default 3 000. */
  readonly warmupMs?: number;
  /** Whole load phase, in ms (at least 3 s go on after the fault). Default 15 000. */
  readonly totalMs?: number;
  readonly fault: (load: MixedLoad) => Promise<void>;
}): Promise<ScenarioOutcome> {
  const load = new MixedLoad({ ...options.load, baseUrl: options.topology.url });
  await load.start();
  await sleep(options.warmupMs ?? 3_000);
  load.mark('fault');
  const faultAt = load.now();
  try {
    await options.fault(load);
  } finally {
    const remaining = Math.max(3_000, (options.totalMs ?? 15_000) - load.now());
    await sleep(remaining);
  }
  const result = await load.stop();
  const stoppedAt = Date.now();
  const check = await checkLedger(options.topology.database.url, result.ledger);
  // A transaction leaked by the last requests has sat idle for 2 s only 2 s after them.
  await sleep(Math.max(0, stoppedAt + LEAK_AGE_MS + 500 - Date.now()));
  const idleInTransaction = await leakedTransactions(options.topology.database.url);
  const failed = result.attempts.filter(
    (a) => typeof a.outcome !== 'number' || a.outcome >= 500 || a.outcome === 429,
  );
  const lastError = Math.max(faultAt, ...failed.map((a) => a.at + a.ms));
  const row: ScenarioRow = {
    scenario: options.scenario,
    requests: result.operations,
    acknowledged: result.succeeded,
    writes: result.ledger.acknowledgedWrites,
    errors: result.errors,
    retries: result.retries,
    gaveUp: result.gaveUp,
    uncertain: result.uncertain,
    lost: check.lost,
    duplicated: check.duplicated + check.duplicatedKeyless,
    other5xx: result.attempts.filter(
      (a) => typeof a.outcome === 'number' && a.outcome >= 500 && a.outcome !== 503,
    ).length,
    idleInTransaction,
    recoveryMs: failed.length === 0 ? 0 : lastError - faultAt,
  };
  console.log(`${HEADER}\n${formatRow(row)}`);
  return { load: result, check, row, faultAt };
}

/** Errors by outcome (`503`, `network`, …), for assertion messages and the docs. */
export function errorsByOutcome(result: LoadResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of result.attempts) {
    if (typeof a.outcome === 'number' && a.outcome < 500 && a.outcome !== 429) continue;
    counts[String(a.outcome)] = (counts[String(a.outcome)] ?? 0) + 1;
  }
  return counts;
}
