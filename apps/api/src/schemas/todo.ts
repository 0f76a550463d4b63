import { Type, type Static } from 'typebox';
import { Id } from './ids.ts';

/**
 * A title: 1-1000 characters once trimmed, no control characters (NUL cannot be stored
 * by PostgreSQL; the others have no place in a one-line title). `\p{Cc}` needs the `u`
 * flag, which Ajv uses for every pattern.
 */
export const Title = Type.String({
  minLength: 1,
  maxLength: 1000,
  pattern: '^[^\\p{Cc}]*[^\\p{Cc}\\s][^\\p{Cc}]*$',
  description: '1-1000 characters, not only spaces, no control characters; stored trimmed.',
});

/** PostgreSQL's `integer`, without negatives. */
export const Order = Type.Integer({ minimum: 0, maximum: 2147483647 });

export const Todo = Type.Object(
  {
    id: Id,
    title: Type.String(),
    completed: Type.Boolean(),
    order: Order,
    url: Type.String({ format: 'uri' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Todo = Static<typeof Todo>;

export const TodoList = Type.Array(Todo);

export const CreateTodo = Type.Object(
  {
    title: Title,
    completed: Type.Optional(Type.Boolean()),
    order: Type.Optional(Order),
  },
  { additionalProperties: false },
);
export type CreateTodo = Static<typeof CreateTodo>;

export const UpdateTodo = Type.Object(
  {
    title: Type.Optional(Title),
    completed: Type.Optional(Type.Boolean()),
    order: Type.Optional(Order),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateTodo = Static<typeof UpdateTodo>;

export const UpdateAllTodos = Type.Object(
  { completed: Type.Boolean() },
  { additionalProperties: false },
);

export const DeleteTodosQuery = Type.Object(
  {
    completed: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: '`true`: delete the completed todos only.',
      }),
    ),
  },
  { additionalProperties: false },
);
