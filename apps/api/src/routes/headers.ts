import { Type } from 'typebox';

export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Makes the create safe to retry: the same key with the same body answers the first result.',
    }),
  ),
});
