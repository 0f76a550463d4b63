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
}

export function controlledFetch(): ControlledFetch {
  const log: string[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let broken: 'before' | 'after' | undefined;
  return {
    log,
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      log.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
      if (gate) await gate;
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
  };
}
