import { Type, type Static } from 'typebox';
import { Id } from './ids.ts';
import { ONE_VISIBLE_LINE } from './todo.ts';

export const ListTitle = Type.String({
  maxLength: 200,
  pattern: `^(?:\\p{Zs}*|${ONE_VISIBLE_LINE})$`,
  description:
    'Up to 200 characters: empty, or one line with a visible character, no control characters; stored trimmed.',
});

export const List = Type.Object(
  {
    id: Id,
    title: Type.String(),
    url: Type.String({ format: 'uri' }),
    todosUrl: Type.String({ format: 'uri' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type List = Static<typeof List>;

export const CreateList = Type.Object(
  { title: Type.Optional(ListTitle) },
  { additionalProperties: false },
);
export type CreateList = Static<typeof CreateList>;

export const UpdateList = Type.Object({ title: ListTitle }, { additionalProperties: false });
export type UpdateList = Static<typeof UpdateList>;
