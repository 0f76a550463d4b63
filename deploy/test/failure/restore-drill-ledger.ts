import { withClient } from '../support/with-client.ts';
import type { Ledger } from '../support/ledger.ts';

/** What a point-in-time restore kept and lost, judged against the load's ledger. */
export interface DrillCheck {
  /** Writes acknowledged before the target whose effect is missing: must be 0. */
  readonly missingBeforeTarget: number;
  /** Acknowledged writes checked before the target. */
  readonly acknowledgedBeforeTarget: number;
  /** Writes acknowledged at or after the target that the restore took back (expected). */
  readonly lostAfterTarget: number;
  /** Writes sent after the target that are nevertheless present: must be 0. */
  readonly presentAfterTarget: number;
  /**
   * When the newest write present after the restore was sent, ms since the load started (not
   * when it was acknowledged: one committed just before the target is answered just after it).
   */
  readonly lastRecoveredWriteAt: number;
  readonly findings: readonly string[];
}

/**
 * Compares the restored database with the ledger at `targetAt` (ms since the load started):
 * a write acknowledged before it was committed before it, so it must be there; a write sent
 * after it was committed after it, so it must not. A write in flight across the target may
 * be either. Titles are unique per version (`<base> v<n>`), so a row names its version.
 */
export async function checkRestoredAt(
  databaseUrl: string,
  ledger: Ledger,
  targetAt: number,
  /** Writes sent from this instant on must be absent. Default `targetAt`. */
  absentFrom: number = targetAt,
): Promise<DrillCheck> {
  const rows = await withClient(
    databaseUrl,
    async (client) =>
      (
        await client.query<{ id: string; title: string }>(
          'select id, title from todos where list_id = any($1)',
          [[...ledger.lists]],
        )
      ).rows,
  );
  const byTitle = new Map(rows.map((r) => [r.title, r]));
  const findings: string[] = [];
  let missingBeforeTarget = 0;
  let acknowledgedBeforeTarget = 0;
  let lostAfterTarget = 0;
  let presentAfterTarget = 0;
  let lastRecoveredWriteAt = 0;
  for (const todo of ledger.todos.values()) {
    // The stored version: the one whose title the row has (-1: no row).
    const stored = todo.versions.findIndex((v) => byTitle.has(v.title));
    const version = todo.versions[stored];
    if (version) {
      if ((version.startedAt ?? 0) >= absentFrom) {
        presentAfterTarget += 1;
        findings.push(`${version.title} was sent after the target but is present`);
      }
      lastRecoveredWriteAt = Math.max(lastRecoveredWriteAt, version.startedAt ?? 0);
    }
    todo.versions.forEach((v, i) => {
      if (!v.acknowledged || v.acknowledgedAt === undefined) return;
      if (v.acknowledgedAt < targetAt) {
        acknowledgedBeforeTarget += 1;
        if (stored < i) {
          missingBeforeTarget += 1;
          findings.push(`${v.title} acknowledged before the target is missing`);
        }
      } else if (stored < i) {
        lostAfterTarget += 1;
      }
    });
  }
  return {
    missingBeforeTarget,
    acknowledgedBeforeTarget,
    lostAfterTarget,
    presentAfterTarget,
    lastRecoveredWriteAt,
    findings,
  };
}
