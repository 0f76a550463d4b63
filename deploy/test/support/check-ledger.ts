import { withClient } from './with-client.ts';
import { baseOf, type Ledger } from './ledger.ts';

export interface LedgerCheck {
  /** Acknowledged creates missing, plus acknowledged updates whose effect is gone. */
  readonly lost: number;
  /** Extra rows for one keyed create (the same base title stored more than once). */
  readonly duplicated: number;
  /**
   * The same for keyless creates. The client repeats one only when the API said nothing was
   * written, so any duplicate here means that answer was wrong.
   */
  readonly duplicatedKeyless: number;
  /** Rows no create of the client explains. */
  readonly unexplained: number;
  /** Acknowledged lists missing. */
  readonly listsLost: number;
  /** Human-readable findings, for the assertion message. */
  readonly findings: string[];
}

interface Row {
  id: string;
  list_id: string;
  title: string;
  completed: boolean;
}

/**
 * Compares the database with the ledger, querying PostgreSQL directly (not the API):
 * - every acknowledged create is present exactly once, under the id the API answered;
 * - every todo's stored state is its last acknowledged version, or a later version that
 *   was attempted without an answer (it may have been applied): anything older means an
 *   acknowledged update was lost;
 * - a create attempted without an answer is present at most once.
 */
export async function checkLedger(databaseUrl: string, ledger: Ledger): Promise<LedgerCheck> {
  const listIds = [...ledger.lists];
  const { rows, lists } = await withClient(databaseUrl, async (client) => ({
    rows: (
      await client.query<Row>(
        'select id, list_id, title, completed from todos where list_id = any($1)',
        [listIds],
      )
    ).rows,
    lists: (
      await client.query<{ id: string }>('select id from lists where id = any($1)', [listIds])
    ).rows.map((r) => r.id),
  }));

  const findings: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let duplicatedKeyless = 0;
  let unexplained = 0;
  const byBase = new Map<string, Row[]>();
  for (const row of rows) {
    const base = baseOf(row.title);
    byBase.set(base, [...(byBase.get(base) ?? []), row]);
  }
  for (const [base, found] of byBase) {
    const todo = ledger.todos.get(base);
    if (!todo || todo.listId !== found[0]?.list_id) {
      unexplained += found.length;
      findings.push(`unexplained row(s) ${base}`);
    }
    if (found.length > 1) {
      if (todo?.keyed === false) duplicatedKeyless += found.length - 1;
      else duplicated += found.length - 1;
      findings.push(`${base} stored ${found.length} times`);
    }
  }
  for (const todo of ledger.todos.values()) {
    const found = byBase.get(todo.base) ?? [];
    if (todo.id === undefined) continue; // never acknowledged: at most once, checked above
    const row = found.find((r) => r.id === todo.id);
    if (!row) {
      lost += 1;
      findings.push(`acknowledged create ${todo.base} (${todo.id}) missing`);
      continue;
    }
    const lastAcked = todo.versions.findLastIndex((v) => v.acknowledged);
    // The last acknowledged version, or any later one (attempted, maybe applied).
    const acceptable = todo.versions.slice(lastAcked);
    if (!acceptable.some((v) => v.title === row.title && v.completed === row.completed)) {
      lost += 1;
      findings.push(
        `${todo.base}: stored ${JSON.stringify([row.title, row.completed])}, last acknowledged ${JSON.stringify(todo.versions[lastAcked])}`,
      );
    }
  }
  const listsLost = ledger.lists.size - lists.length;
  if (listsLost > 0) findings.push(`${listsLost} acknowledged list(s) missing`);
  return {
    lost: lost + listsLost,
    duplicated,
    duplicatedKeyless,
    unexplained,
    listsLost,
    findings,
  };
}
