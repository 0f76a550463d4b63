import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db/database-errors.ts';
import { writeOutcomeOf } from '../db/guarded-pool.ts';
import { PROBLEM_TYPES, ProblemError, type ProblemField, type ProblemKind } from '../problems.ts';

/** Seconds a client should wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The one error handler: every error becomes `application/problem+json` (RFC 9457) with a
 * stable `type`; 5xx details are logged, never sent (no stack trace reaches a client).
 */
export const errorHandler = fp(
  (app: FastifyInstance, _options, done) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toProblemError(error, request.method);
      if (problem.kind === 'internal') {
        request.log.error({ err: error }, 'request failed');
      } else if (problem.statusCode >= 500) {
        // An outage is logged once per episode by the database layer (server.ts), not per
        // request; the request's own log line still records its 503.
        request.log.debug({ err: { message: error.message, code: error.code } }, problem.message);
      }
      return sendProblem(request, reply, problem);
    });
    done();
  },
  { name: 'error-handler' },
);

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

function toProblemError(error: FastifyError, method: string): ProblemError {
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
          : 'must contain a visible character and no control characters';
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
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError('malformedJson', 'The body is empty; send a JSON object.');
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
    const kind: ProblemKind =
      status === 404
        ? 'notFound'
        : status === 413
          ? 'tooLarge'
          : status === 415
            ? 'unsupportedMediaType'
            : 'badRequest';
    return new ProblemError(kind, error.message);
  }
  return new ProblemError('internal', 'Something went wrong on our side; it has been logged.');
}
