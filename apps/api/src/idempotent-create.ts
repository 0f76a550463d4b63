import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from './db/schema.ts';
import { ProblemError } from './problems.ts';
import { IdempotencyRepository } from './repositories/idempotency-repository.ts';

export interface CreatedResponse<T = unknown> {
  readonly statusCode: number;
  readonly body: T;
  /** True when this answer is the stored answer of an earlier request with the same key. */
  readonly replayed: boolean;
}

/** Printable ASCII, 1-255 characters (a UUID fits; so does anything a client library makes). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs `create` at most once per (scope, Idempotency-Key): the key is claimed in the same
 * transaction that creates the row, so either both are committed or neither is. A retry
 * gets the first answer; the same key with another body is refused with 422 (the request
 * is well-formed but cannot be processed as asked — as the IETF httpapi draft
 * "The Idempotency-Key HTTP Header Field" specifies; 409 there means "still in progress",
 * which cannot happen here because a concurrent claim waits for the first to commit).
 */
export async function idempotentCreate<T>(
  db: Kysely<DatabaseSchema>,
  idempotency: { scope: string; key: string | undefined; request: unknown },
  create: (trx: Kysely<DatabaseSchema>) => Promise<{ statusCode: number; body: T }>,
): Promise<CreatedResponse<T>> {
  const { scope, key } = idempotency;
  if (key === undefined) return { ...(await create(db)), replayed: false };
  if (!KEY_PATTERN.test(key)) {
    throw new ProblemError(
      'validation',
      'Idempotency-Key must be 1-255 printable ASCII characters',
      {
        errors: [
          {
            in: 'headers',
            pointer: '/idempotency-key',
            detail: 'must be 1-255 printable ASCII characters',
          },
        ],
      },
    );
  }
  const requestHash = createHash('sha256')
    .update(JSON.stringify(idempotency.request))
    .digest('hex');
  return db.transaction().execute(async (trx: Transaction<DatabaseSchema>) => {
    if (!(await IdempotencyRepository.claim(trx, scope, key, requestHash))) {
      const stored = await IdempotencyRepository.find(trx, scope, key);
      if (stored === undefined) throw new Error('idempotency record vanished after a conflict');
      if (stored.requestHash !== requestHash) {
        throw new ProblemError(
          'idempotencyKeyReused',
          'This Idempotency-Key was first used with a different request body; use a new key for a new request.',
        );
      }
      // The stored body is what `create` answered the first time.
      return { statusCode: stored.statusCode, body: stored.body as T, replayed: true };
    }
    const response = await create(trx);
    await IdempotencyRepository.complete(trx, scope, key, response);
    return { ...response, replayed: false };
  });
}

/**
 * Answers a create the same way for every resource: its status (201, or the stored one of
 * a replay), `Location` of the new resource, and `Idempotent-Replayed` on a replay.
 */
export function sendCreated<T extends { url: string }>(
  reply: FastifyReply,
  result: CreatedResponse<T>,
): FastifyReply {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(result.statusCode).header('location', result.body.url).send(result.body);
}
