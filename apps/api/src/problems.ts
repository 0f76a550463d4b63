import type { Problem } from './schemas/problem.ts';

/**
 * The kinds of problem this API answers (RFC 9457). `type` is a URI reference, relative
 * to the API's origin, and never changes once published: clients may switch on it.
 * docs/api.md describes each one.
 */
export const PROBLEM_TYPES = {
  validation: { type: '/api/problems/validation', title: 'The request is not valid', status: 400 },
  malformedJson: {
    type: '/api/problems/malformed-json',
    title: 'The body is not valid JSON',
    status: 400,
  },
  forbidden: { type: '/api/problems/forbidden', title: 'Forbidden', status: 403 },
  notFound: { type: '/api/problems/not-found', title: 'Not found', status: 404 },
  methodNotAllowed: {
    type: '/api/problems/method-not-allowed',
    title: 'Method not allowed',
    status: 405,
  },
  requestTimeout: {
    type: '/api/problems/request-timeout',
    title: 'The request took too long to arrive',
    status: 408,
  },
  idempotencyKeyReused: {
    type: '/api/problems/idempotency-key-reused',
    title: 'The Idempotency-Key was used for a different request',
    status: 422,
  },
  tooLarge: { type: '/api/problems/body-too-large', title: 'The body is too large', status: 413 },
  unsupportedMediaType: {
    type: '/api/problems/unsupported-media-type',
    title: 'Unsupported Content-Type',
    status: 415,
  },
  headersTooLarge: {
    type: '/api/problems/headers-too-large',
    title: 'The request headers are too large',
    status: 431,
  },
  rateLimited: { type: '/api/problems/rate-limited', title: 'Too many requests', status: 429 },
  databaseUnavailable: {
    type: '/api/problems/database-unavailable',
    title: 'The database is unavailable; retry later',
    status: 503,
  },
  outcomeUnknown: {
    type: '/api/problems/outcome-unknown',
    title: 'The database did not confirm the change; it may or may not have been made',
    status: 503,
  },
  draining: { type: '/api/problems/draining', title: 'The server is shutting down', status: 503 },
  internal: { type: '/api/problems/internal', title: 'Internal server error', status: 500 },
  notImplemented: {
    type: '/api/problems/not-implemented',
    title: 'The method is not implemented',
    status: 501,
  },
  badRequest: { type: '/api/problems/bad-request', title: 'Bad request', status: 400 },
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** One entry of a problem's `errors`, as the Problem schema declares it. */
export type ProblemField = Readonly<NonNullable<Problem['errors']>[number]>;

/** An error that becomes a problem+json answer as it is. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly kind: ProblemKind;
  readonly statusCode: number;
  readonly errors: readonly ProblemField[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    kind: ProblemKind,
    detail: string,
    extra: { errors?: readonly ProblemField[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.kind = kind;
    this.statusCode = PROBLEM_TYPES[kind].status;
    this.errors = extra.errors;
    this.headers = extra.headers ?? {};
  }
}
