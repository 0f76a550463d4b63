/**
 * True when `error` means the database cannot be used right now (as opposed to a query the
 * database rejected): those become 503 + Retry-After, never 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SYSTEM_CODES.has(code)) return true;
  }
  if (typeof message === 'string') {
    return /timeout exceeded when trying to connect|Connection terminated|connection (?:timeout|terminated)|Client has encountered a connection error|Query read timeout|Cannot use a pool after calling end/i.test(
      message,
    );
  }
  return false;
}

/**
 * SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that mean "not
 * now" rather than "not this query":
 * - 08xxx connection exception; 57P01–57P03 admin/crash shutdown, cannot connect now (a
 *   failover or restart); 53300 too many connections; 53xxx insufficient resources;
 * - 57014 query cancelled (statement_timeout), 55P03 lock not available (lock_timeout),
 *   25P03 idle-in-transaction timeout: the database is too slow or blocked right now;
 * - 40001 serialization failure, 40P01 deadlock: the transaction may simply be retried;
 * - 28P01 invalid password, 28000 invalid authorization: the credentials were rotated and
 *   this process does not have the new ones yet: an outage to wait out, not a bug.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53...|57014|55P03|25P03|40001|40P01|28P01|28000)$/;

/** Node's socket errors, and this API's own time budget (db/guarded-pool.ts). */
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'BUDGET_EXHAUSTED',
  'CONNECTION_ABANDONED',
]);
