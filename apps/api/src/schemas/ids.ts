import { Type } from 'typebox';

/** 128 random bits, base64url: 22 characters. Unguessable, URL-safe, never enumerable. */
export const Id = Type.String({
  pattern: '^[A-Za-z0-9_-]{22}$',
  description: 'Opaque identifier (22 URL-safe characters).',
  examples: ['q3nH5tqC0m2S6m9b1mXhVg'],
});

export const ListParams = Type.Object({ listId: Id }, { additionalProperties: false });
export const TodoParams = Type.Object({ listId: Id, todoId: Id }, { additionalProperties: false });
