import type { Socket } from 'node:net';
import { extname } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db/database-errors.ts';
import { writeOutcomeOf } from '../db/guarded-pool.ts';
import { PROBLEM_TYPES, ProblemError, type ProblemField, type ProblemKind } from '../problems.ts';

/** Seconds a client should wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export interface ErrorHandlerOptions {
  /** True when the web app is served: page navigations outside /api get its index.html. */
  readonly navigationFallback?: boolean;
}

/**
 * The one error handler: every error becomes `application/problem+json` (RFC 9457) with a
 * stable `type`; 5xx details are logged, never sent (no stack trace reaches a client).
 * It also answers what no route does: a known path with another method is a 405 with
 * `Allow`, anything else a 404, and an OPTIONS that is not a CORS preflight a 400.
 */
export const errorHandler = fp(
  (app: FastifyInstance, options: ErrorHandlerOptions, done) => {
    const routes = new RouteTable();
    app.addHook('onRoute', (route) => routes.add(route.url, route.method));

    app.addHook('onRequest', (request, _reply, next) => {
      if (
        request.method === 'OPTIONS' &&
        (request.headers.origin === undefined ||
          request.headers['access-control-request-method'] === undefined)
      ) {
        next(
          new ProblemError(
            'badRequest',
            'OPTIONS is answered as a CORS preflight only: send Origin and Access-Control-Request-Method.',
          ),
        );
        return;
      }
      next();
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toProblemError(error, request);
      if (problem.kind === 'internal') {
        request.log.error({ err: error }, 'request failed');
      } else if (problem.statusCode >= 500) {
        // An outage is logged once per episode by the database layer (server.ts), not per
        // request; the request's own log line still records its 503.
        request.log.debug({ err: { message: error.message, code: error.code } }, problem.message);
      }
      return sendProblem(request, reply, problem);
    });

    app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      const allowed = routes.methodsOf(path);
      if (allowed !== undefined) {
        const allow = allowed.join(', ');
        return sendProblem(
          request,
          reply,
          new ProblemError(
            'methodNotAllowed',
            `${request.method} is not allowed here; use ${allow}.`,
            {
              headers: { allow },
            },
          ),
        );
      }
      const isNavigation =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !path.startsWith('/api/') &&
        path !== '/api' &&
        extname(path) === '';
      if (isNavigation && options.navigationFallback === true) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      return sendProblem(
        request,
        reply,
        new ProblemError('notFound', `Nothing at ${request.method} ${path}.`),
      );
    });
    done();
  },
  { name: 'error-handler' },
);

/**
 * The API's route patterns and their methods, to tell a wrong method (405) from a wrong
 * path (404). Static files (wildcard routes) are left out: any other path is a 404.
 */
class RouteTable {
  readonly #routes: { pattern: RegExp; methods: Set<string> }[] = [];
  readonly #byUrl = new Map<string, Set<string>>();

  add(url: string, method: string | string[]): void {
    if (!url.startsWith('/api') || url.includes('*')) return;
    let methods = this.#byUrl.get(url);
    if (methods === undefined) {
      methods = new Set(['OPTIONS']);
      this.#byUrl.set(url, methods);
      const source = url
        .split('/')
        .map((part) =>
          part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      this.#routes.push({ pattern: new RegExp(`^${source}/?$`), methods });
    }
    for (const name of Array.isArray(method) ? method : [method]) methods.add(name);
  }

  /** The methods of the route at `path`, or undefined when no route has this path. */
  methodsOf(path: string): string[] | undefined {
    const route = this.#routes.find(({ pattern }) => pattern.test(path));
    return route && [...route.methods].sort();
  }
}

/**
 * Fastify's `frameworkErrors`: a URL that cannot be decoded (`/api/lists/%ZZ`) or a
 * parameter longer than the router accepts, answered like any other client mistake.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const detail =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid: a % must start a percent-encoded UTF-8 character.'
      : error.message;
  reply.header('x-request-id', request.id);
  void sendProblem(request, reply, new ProblemError('badRequest', detail));
}

/**
 * Node's `clientError`: requests that never reach Fastify (a method Node cannot parse,
 * headers over the limit, a request that does not arrive in time) still get problem+json.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [kind, detail]: [ProblemKind, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['requestTimeout', 'The request did not arrive in time.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? ['headersTooLarge', 'The request headers exceed 16 KiB.']
        : error.code === 'HPE_INVALID_METHOD'
          ? ['notImplemented', 'This method is not implemented.']
          : ['badRequest', 'The request is not valid HTTP/1.1.'];
  const { type, title, status } = PROBLEM_TYPES[kind];
  const body = JSON.stringify({ type, title, status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError) {
  const { type, title, status } = PROBLEM_TYPES[problem.kind];
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type,
      title,
      status,
      detail: problem.message,
      instance: request.url.split('?')[0],
      ...(problem.errors === undefined ? {} : { errors: problem.errors }),
    });
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function toProblemError(error: FastifyError, request: FastifyRequest): ProblemError {
  const method = request.method;
  if (error instanceof ProblemError) return error;
  if (error.validation !== undefined) {
    const where = error.validationContext ?? 'body';
    const fields = error.validation.map((issue): ProblemField => {
      const params = issue.params;
      let pointer = issue.instancePath;
      let detail = issue.message ?? 'is not valid';
      if (issue.keyword === 'required') {
        pointer += `/${String(params.missingProperty)}`;
        detail = 'is required';
      } else if (issue.keyword === 'additionalProperties') {
        pointer += `/${String(params.additionalProperty)}`;
        detail = 'is not a known field';
      } else if (issue.keyword === 'pattern') {
        detail = /Id$/.test(pointer)
          ? 'is not a valid id (22 URL-safe characters)'
          : 'must be one line with a visible character, without control characters';
      } else if (issue.keyword === 'type' && pointer === '' && request.body === undefined) {
        detail = 'is required: send a JSON object';
      } else if (issue.keyword === 'minProperties') {
        detail = 'names nothing to change';
      }
      return { in: where, pointer: pointer === '' ? '/' : pointer, detail };
    });
    const first = fields[0];
    const summary = first
      ? `${where} ${first.pointer === '/' ? '' : `${first.pointer} `}${first.detail}`
      : `the ${where} is not valid`;
    return new ProblemError('validation', summary.replace(/\s+/g, ' '), { errors: fields });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError('unsupportedMediaType', 'Send the body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError('tooLarge', 'The body must be at most 64 KiB.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ProblemError('malformedJson', error.message);
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new ProblemError('malformedJson', `The body is not valid JSON: ${error.message}`);
  }
  if (error.statusCode === 429) {
    return new ProblemError('rateLimited', error.message);
  }
  if (isDatabaseUnavailable(error)) {
    const headers = { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) };
    // A write whose statement reached the database without an answer may still commit once
    // the database resumes: say so, so that a client without an Idempotency-Key does not
    // blindly repeat it (docs/api.md, "Outcomes of a write").
    if (!READ_METHODS.has(method) && writeOutcomeOf(error) === 'unknown') {
      return new ProblemError(
        'outcomeUnknown',
        'The database stopped answering after the change was sent: it may or may not have been made. Repeat the request with the same Idempotency-Key (safe), or read before repeating it.',
        { headers },
      );
    }
    return new ProblemError(
      'databaseUnavailable',
      'The database cannot be used right now; nothing was changed. Retry later.',
      { headers },
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ProblemError(KIND_BY_STATUS.get(status) ?? 'badRequest', error.message);
  }
  return new ProblemError('internal', 'Something went wrong on our side; it has been logged.');
}

/** 4xx statuses with a problem kind of their own (the static handler's 403, for one). */
const KIND_BY_STATUS = new Map<number, ProblemKind>([
  [403, 'forbidden'],
  [404, 'notFound'],
  [405, 'methodNotAllowed'],
  [408, 'requestTimeout'],
  [413, 'tooLarge'],
  [415, 'unsupportedMediaType'],
  [431, 'headersTooLarge'],
]);
