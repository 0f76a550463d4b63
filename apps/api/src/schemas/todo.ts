import { Type, type Static } from 'typebox';
import { Id } from './ids.ts';

/** Characters that take no visible space: spaces, format characters (zero-width space,
 * joiners, the BOM), Hangul fillers, the blank Braille pattern, variation selectors. */
const INVISIBLE = '\\p{Zs}\\p{Cf}\\u034F\\u115F\\u1160\\u2800\\u3164\\uFE00-\\uFE0F\\uFFA0';

/**
 * One line of text with at least one visible character: invisible characters first, a
 * visible one, then anything but control characters (NUL cannot be stored by PostgreSQL)
 * and line or paragraph separators. Deterministic, so Ajv matches it in linear time; `\p{…}`
 * needs the `u` flag, which Ajv uses for every pattern.
 */
export const ONE_VISIBLE_LINE = `[${INVISIBLE}]*[^\\p{Cc}\\p{Z}${INVISIBLE.replace('\\p{Zs}', '')}][^\\p{Cc}\\p{Zl}\\p{Zp}]*`;

/** A title: 1-1000 characters, one line, not only invisible characters; stored trimmed. */
export const Title = Type.String({
  minLength: 1,
  maxLength: 1000,
  pattern: `^${ONE_VISIBLE_LINE}$`,
  description:
    '1-1000 characters, one line with a visible character, no control characters; stored trimmed.',
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
