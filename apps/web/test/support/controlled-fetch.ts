// A fetch in front of the real one that a test can hold (to see the page before the server
// answers) or break (as a dropped connection does), without replacing the server.

export interface ControlledFetch {
  readonly fetch: typeof fetch;
  /** Every request, as `METHOD /path?query`. */
  readonly log: string[];
  /** Requests wait until `release()`. */
  hold(): void;
  release(): void;
  /** `before`: fail without reaching the server; `after`: reach it, then lose the answer. */
  breakConnection(when: 'before' | 'after'): void;
  repair(): void;
  /**
   * Requests whose `METHOD /path` matches get this status, without reaching the API, as from
   * a proxy whose rule sends them elsewhere; `undefined` stops it.
   */
  answerFromProxy(match: RegExp | undefined, status?: number): void;
}

export function controlledFetch(): ControlledFetch {
  const log: string[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let broken: 'before' | 'after' | undefined;
  let proxied: { match: RegExp; status: number } | undefined;
  return {
    log,
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const request = `${init?.method ?? 'GET'} ${url.pathname}${url.search}`;
      log.push(request);
      if (gate) await gate;
      if (proxied?.match.test(request)) {
        return new Response('<html><body>Not Found</body></html>', {
          status: proxied.status,
          headers: { 'content-type': 'text/html' },
        });
      }
      if (broken === 'before') throw new TypeError('fetch failed (connection refused)');
      const response = await fetch(input, init);
      if (broken === 'after') {
        await response.body?.cancel();
        throw new TypeError('fetch failed (connection reset)');
      }
      return response;
    },
    hold() {
      gate ??= new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      open?.();
      gate = undefined;
    },
    breakConnection(when) {
      broken = when;
    },
    repair() {
      broken = undefined;
    },
    answerFromProxy(match, status = 404) {
      proxied = match ? { match, status } : undefined;
    },
  };
}
