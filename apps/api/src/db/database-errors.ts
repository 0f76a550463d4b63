/**
 * True when `error` means the database cannot be reached or is going away (as opposed
 * to a query the database rejected). Those become 503 + Retry-After.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now),
    // 53300 too many connections, 57014 query cancelled by statement_timeout.
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code)) {
      return true;
    }
    if (
      [
        'ECONNREFUSED',
        'ECONNRESET',
        'ETIMEDOUT',
        'EPIPE',
        'ENOTFOUND',
        'EAI_AGAIN',
        'EHOSTUNREACH',
      ].includes(code)
    ) {
      return true;
    }
  }
  if (typeof message === 'string') {
    return /timeout exceeded when trying to connect|Connection terminated|connection (?:timeout|terminated)|Client has encountered a connection error|Query read timeout|Cannot use a pool after calling end/i.test(
      message,
    );
  }
  return false;
}
