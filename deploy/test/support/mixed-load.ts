import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ledger, type LedgerTodo } from './ledger.ts';

export type Operation = 'list' | 'create' | 'update' | 'read' | 'page';

/** One HTTP attempt as the client saw it. */
export interface Attempt {
  readonly op: Operation;
  /** Milliseconds since the load started, when the attempt began. */
  readonly at: number;
  readonly ms: number;
  /** HTTP status, or why there was none. */
  readonly outcome: number | 'network' | 'timeout';
  /** The answer was the API's problem+json (not the load balancer's own error page). */
  readonly problem?: boolean;
  /** Its Retry-After header, in seconds. */
  readonly retryAfter?: number;
  /** The problem's `type`, e.g. `/api/problems/outcome-unknown`. */
  readonly problemType?: string;
}

export interface LoadOptions {
  /** The load balancer, e.g. `http://127.0.0.1:8080` (loopback only). */
  readonly baseUrl: string;
  /** Concurrent clients, each with a list of its own. Default 6. */
  readonly workers?: number;
  /** Pause after each operation of a worker, in ms: what keeps the load steady. Default 25. */
  readonly pauseMs?: number;
  /** Relative weights of the operations. Default creates, updates and reads; no page loads. */
  readonly mix?: Partial<Record<'create' | 'update' | 'read' | 'page', number>>;
  /** Attempts per operation before the client gives up. Default 60. */
  readonly maxAttempts?: number;
  /** Time per operation, retries included, before the client gives up, in ms. Default 30 000. */
  readonly maxRetryMs?: number;
  /** Time one attempt may take, in ms. Default 5 000. */
  readonly attemptTimeoutMs?: number;
  /**
   * Share of creates sent without an Idempotency-Key (0–1). Default 0. Such a create is
   * retried only when the answer says nothing was written (a 429, a 503 other than
   * outcome-unknown); otherwise the client stops and counts the outcome as uncertain.
   */
  readonly keylessCreates?: number;
}

export interface LoadResult {
  readonly ledger: Ledger;
  readonly attempts: readonly Attempt[];
  /** Logical operations issued (a retried operation counts once). */
  readonly operations: number;
  /** Operations that ended with a success. */
  readonly succeeded: number;
  /** Operations that never succeeded within the retry bounds. */
  readonly gaveUp: number;
  /** Failed attempts the client saw (5xx, 429, connection errors, timeouts), retried or not. */
  readonly errors: number;
  /** Attempts beyond the first of an operation. */
  readonly retries: number;
  /** Keyless creates left unanswered or answered outcome-unknown: not retried, maybe stored. */
  readonly uncertain: number;
  /** Reads that missed a todo acknowledged before the read began. */
  readonly staleReads: number;
  /** Answers that are neither a success nor retryable (a 4xx): always a finding. */
  readonly unexpected: readonly string[];
  /** Named instants (ms since start), e.g. when a fault was injected. */
  readonly marks: ReadonlyMap<string, number>;
}

const DEFAULT_MIX = { create: 35, update: 35, read: 30, page: 0 };

function retryable(outcome: Attempt['outcome']): boolean {
  return typeof outcome !== 'number' || outcome >= 500 || outcome === 429;
}

/**
 * A steady mixed load through the load balancer, from clients that behave the way the web
 * app should: creates carry an `Idempotency-Key` (the same on every retry), and every
 * operation is retried on 5xx, 429 and connection errors, bounded in count and time.
 */
export class MixedLoad {
  readonly ledger = new Ledger();
  readonly #options: Required<Omit<LoadOptions, 'mix'>> & { mix: typeof DEFAULT_MIX };
  readonly #attempts: Attempt[] = [];
  readonly #unexpected: string[] = [];
  readonly #marks = new Map<string, number>();
  #start = 0;
  #stopping = false;
  #operations = 0;
  #succeeded = 0;
  #gaveUp = 0;
  #retries = 0;
  #uncertain = 0;
  #staleReads = 0;
  #workers: Promise<void>[] = [];

  constructor(options: LoadOptions) {
    const url = new URL(options.baseUrl);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
      throw new Error(`load goes to loopback only, not ${url.hostname}`);
    }
    this.#options = {
      workers: 6,
      pauseMs: 25,
      maxAttempts: 60,
      maxRetryMs: 30_000,
      attemptTimeoutMs: 5_000,
      keylessCreates: 0,
      ...options,
      mix: { ...DEFAULT_MIX, ...options.mix },
    };
  }

  /** Milliseconds since the load started. */
  now(): number {
    return performance.now() - this.#start;
  }

  mark(name: string): void {
    this.#marks.set(name, this.now());
  }

  /** Creates each worker's list, then starts the steady load; resolves once it runs. */
  async start(): Promise<void> {
    this.#start = performance.now();
    const lists = await Promise.all(
      Array.from({ length: this.#options.workers }, () => this.#createList()),
    );
    this.#workers = lists.map((listId, worker) => this.#work(worker, listId));
    this.mark('load');
  }

  /** Stops issuing operations, lets those in flight finish (retries included). */
  async stop(): Promise<LoadResult> {
    this.#stopping = true;
    await Promise.all(this.#workers);
    this.mark('stopped');
    return {
      ledger: this.ledger,
      attempts: this.#attempts,
      operations: this.#operations,
      succeeded: this.#succeeded,
      gaveUp: this.#gaveUp,
      errors: this.#attempts.filter((a) => retryable(a.outcome)).length,
      retries: this.#retries,
      uncertain: this.#uncertain,
      staleReads: this.#staleReads,
      unexpected: this.#unexpected,
      marks: this.#marks,
    };
  }

  async #createList(): Promise<string> {
    const answer = await this.#call('list', 'POST', '/api/lists', {
      body: { title: 'load' },
      idempotencyKey: randomUUID(),
    });
    const id = (answer?.json as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw new Error('the load could not create its list');
    this.ledger.lists.add(id);
    return id;
  }

  async #work(worker: number, listId: string): Promise<void> {
    const mine: LedgerTodo[] = [];
    let sequence = 0;
    const { mix } = this.#options;
    const total = mix.create + mix.update + mix.read + mix.page;
    while (!this.#stopping) {
      const pick = Math.random() * total;
      const acked = mine.filter((t) => t.id !== undefined);
      if (acked.length === 0 || pick < mix.create) {
        const keyed = Math.random() >= this.#options.keylessCreates;
        const todo = this.ledger.beginCreate(listId, `w${worker}-${++sequence}`, keyed);
        mine.push(todo);
        await this.#create(todo);
      } else if (pick < mix.create + mix.update) {
        await this.#update(acked[Math.floor(Math.random() * acked.length)] as LedgerTodo);
      } else if (pick < mix.create + mix.update + mix.read) {
        await this.#read(listId);
      } else {
        await this.#page();
      }
      await sleep(this.#options.pauseMs);
    }
  }

  async #create(todo: LedgerTodo): Promise<void> {
    (todo.versions[0] as { startedAt?: number }).startedAt = this.now();
    const answer = await this.#call('create', 'POST', `/api/lists/${todo.listId}/todos`, {
      body: { title: todo.base },
      ...(todo.keyed ? { idempotencyKey: randomUUID() } : { retryOnlyIfNotWritten: true }),
    });
    const id = (answer?.json as { id?: unknown } | undefined)?.id;
    if (answer && typeof id === 'string') {
      todo.id = id;
      (todo.versions[0] as { acknowledged: boolean }).acknowledged = true;
      (todo.versions[0] as { acknowledgedAt?: number }).acknowledgedAt = this.now();
    }
  }

  async #update(todo: LedgerTodo): Promise<void> {
    const version = {
      title: `${todo.base} v${todo.versions.length}`,
      completed: todo.versions.length % 2 === 1,
      acknowledged: false,
      startedAt: this.now(),
      acknowledgedAt: undefined as number | undefined,
    };
    todo.versions.push(version);
    const answer = await this.#call(
      'update',
      'PATCH',
      `/api/lists/${todo.listId}/todos/${todo.id}`,
      {
        body: { title: version.title, completed: version.completed },
      },
    );
    if (answer) {
      version.acknowledged = true;
      version.acknowledgedAt = this.now();
    }
  }

  async #read(listId: string): Promise<void> {
    const expected = this.ledger.acknowledgedIn(listId).map((t) => t.id);
    const answer = await this.#call('read', 'GET', `/api/lists/${listId}/todos`);
    if (!answer) return;
    const ids = new Set((answer.json as { id: string }[]).map((t) => t.id));
    if (expected.some((id) => !ids.has(id as string))) this.#staleReads += 1;
  }

  /** A page load as a browser does it: the document, then its script. */
  async #page(): Promise<void> {
    const page = await this.#call('page', 'GET', '/', { accept: 'text/html' });
    if (!page) return;
    const script = /(?:src|href)="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    if (!script) {
      this.#unexpected.push('page: index.html names no /assets/*.js');
      return;
    }
    await this.#call('page', 'GET', script);
  }

  /**
   * One operation: attempts until a success, a non-retryable answer, or the bounds.
   * Answers undefined when it did not succeed.
   */
  async #call(
    op: Operation,
    method: string,
    path: string,
    options: {
      body?: unknown;
      idempotencyKey?: string;
      accept?: string;
      /** A write that is not safe to repeat: retried only on answers that say nothing was written. */
      retryOnlyIfNotWritten?: boolean;
    } = {},
  ): Promise<{ status: number; text: string; json: unknown } | undefined> {
    this.#operations += 1;
    const began = performance.now();
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    for (let attempt = 1; ; attempt++) {
      const at = this.now();
      let outcome: Attempt['outcome'];
      let text = '';
      let isJson = false;
      let problem = false;
      let problemType: string | undefined;
      let retryAfterMs = 0;
      try {
        const response = await fetch(`${this.#options.baseUrl}${path}`, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(this.#options.attemptTimeoutMs),
        });
        text = await response.text();
        outcome = response.status;
        const type = response.headers.get('content-type') ?? '';
        isJson = /json/.test(type);
        problem = type.startsWith('application/problem+json');
        retryAfterMs = Number(response.headers.get('retry-after') ?? 0) * 1000;
        if (problem) problemType = (JSON.parse(text) as { type?: string }).type;
      } catch (error) {
        outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network';
      }
      this.#attempts.push({
        op,
        at,
        ms: this.now() - at,
        outcome,
        ...(problem ? { problem, retryAfter: retryAfterMs / 1000, problemType } : {}),
      });
      if (typeof outcome === 'number' && outcome < 400) {
        this.#succeeded += 1;
        const json: unknown = isJson && text ? JSON.parse(text) : undefined;
        return { status: outcome, text, json };
      }
      if (!retryable(outcome)) {
        this.#unexpected.push(`${method} ${path} → ${outcome}: ${text.slice(0, 200)}`);
        return undefined;
      }
      // Nothing written for certain: a 429, the API's 503 other than outcome-unknown, or the
      // balancer's own 503 (no server took the request). Anything else may have been applied.
      const notWritten =
        outcome === 429 ||
        (outcome === 503 && (!problem || problemType !== '/api/problems/outcome-unknown'));
      if (options.retryOnlyIfNotWritten === true && !notWritten) {
        this.#uncertain += 1;
        return undefined;
      }
      const elapsed = performance.now() - began;
      if (attempt >= this.#options.maxAttempts || elapsed >= this.#options.maxRetryMs) {
        this.#gaveUp += 1;
        return undefined;
      }
      this.#retries += 1;
      // Exponential backoff with jitter, at most 1 s; a Retry-After is honoured up to 2 s.
      const backoff = Math.min(1_000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      await sleep(Math.max(backoff, Math.min(retryAfterMs, 2_000)));
    }
  }
}
