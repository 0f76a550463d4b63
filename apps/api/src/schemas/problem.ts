import { Type, type Static } from 'typebox';

/** RFC 9457 problem details, as every error of this API is answered. */
export const Problem = Type.Object({
  type: Type.String({ description: 'Stable URI reference naming the kind of problem.' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(
    Type.Array(
      Type.Object({
        in: Type.String({ description: 'body, querystring, params or headers' }),
        pointer: Type.String({ description: 'JSON pointer into that part' }),
        detail: Type.String(),
      }),
    ),
  ),
});
export type Problem = Static<typeof Problem>;
