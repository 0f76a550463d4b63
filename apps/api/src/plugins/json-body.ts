import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../problems.ts';

/** A `\uD800`–`\uDFFF` escape: only then can JSON.parse produce a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The one body parser: JSON in UTF-8, stored as sent.
 * - An empty body is no body (generic clients send `Content-Type: application/json` on a
 *   DELETE without one); a route that needs a body still answers 400 through its schema.
 * - A charset other than UTF-8 is a 415; bytes that are not UTF-8, or a JSON escape that
 *   is half a surrogate pair, are a 400: nothing is stored with U+FFFD in place of a letter.
 * - `__proto__` and `constructor.prototype` keys are refused (Fastify's default guard).
 */
export const jsonBody = fp(
  (app: FastifyInstance, _options, done) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, next) => {
      const body = raw as Buffer;
      const charset = charsetOf(request.headers['content-type']);
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        next(
          new ProblemError(
            'unsupportedMediaType',
            `Send the body as application/json in UTF-8, not ${charset}.`,
          ),
        );
        return;
      }
      if (body.length === 0) {
        next(null, undefined);
        return;
      }
      if (!isUtf8(body)) {
        next(new ProblemError('malformedJson', 'The body is not valid UTF-8.'));
        return;
      }
      const text = body.toString('utf8');
      void parseJson(request, text, (error, value) => {
        if (error !== null) {
          next(
            (error as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY'
              ? new ProblemError('malformedJson', 'The body is not valid JSON.')
              : error,
          );
        } else if (SURROGATE_ESCAPE.test(text) && !isWellFormed(value)) {
          next(
            new ProblemError(
              'malformedJson',
              'The body contains a lone surrogate (\\uD800–\\uDFFF without its pair): it is not text.',
            ),
          );
        } else {
          next(null, value);
        }
      });
    });
    done();
  },
  { name: 'json-body' },
);

function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/** A lone surrogate: a high one without a low one after it, or a low one without a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isWellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(isWellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, item]) => isWellFormed(key) && isWellFormed(item));
  }
  return true;
}
