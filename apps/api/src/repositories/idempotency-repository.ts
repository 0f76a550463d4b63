import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.ts';

export interface StoredResponse {
  readonly requestHash: string;
  readonly statusCode: number;
  readonly body: unknown;
}

type Db = Kysely<DatabaseSchema>;

/** The SQL of Idempotency-Key records. Call inside the transaction that creates the row. */
export const IdempotencyRepository = {
  /**
   * Claims (scope, key) for this transaction. False when it is taken: the primary key makes
   * a concurrent claim wait for the first transaction, then find its committed record.
   */
  async claim(db: Db, scope: string, key: string, requestHash: string): Promise<boolean> {
    const row = await db
      .insertInto('idempotency_keys')
      .values({
        scope,
        key,
        request_hash: requestHash,
        status_code: 0,
        response_body: 'null',
      })
      .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  },

  async find(db: Db, scope: string, key: string): Promise<StoredResponse | undefined> {
    const row = await db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status_code', 'response_body'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    return (
      row && {
        requestHash: row.request_hash,
        statusCode: row.status_code,
        body: row.response_body,
      }
    );
  },

  async complete(
    db: Db,
    scope: string,
    key: string,
    response: { statusCode: number; body: unknown },
  ): Promise<void> {
    await db
      .updateTable('idempotency_keys')
      .set({ status_code: response.statusCode, response_body: JSON.stringify(response.body) })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  },
};
