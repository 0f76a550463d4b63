import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.ts';

type Db = Kysely<DatabaseSchema>;

const SENTINEL = '\u0000cloud-todo-parameter:';

interface Compiled {
  readonly query: CompiledQuery;
  /** For each parameter of the SQL: the name of the value it takes, or a constant. */
  readonly parameters: readonly ({ readonly name: string } | { readonly constant: unknown })[];
}

/**
 * A Kysely query built and compiled once, then run with new values: the SQL text of a
 * request's statement does not depend on the request, so building the operation tree and
 * compiling it per request (what `db.selectFrom(…)…execute()` does) is work done for
 * nothing. The query is built with named placeholders in place of the values. Values that
 * are `undefined` are left out, as Kysely leaves them out of a `set`; each set of present
 * values (a PATCH of other columns) is compiled once.
 */
export class PreparedQuery<P extends object, R> {
  readonly #build: (db: Db, values: P) => Compilable<R>;
  readonly #compiled = new Map<string, Compiled>();

  constructor(build: (db: Db, values: P) => Compilable<R>) {
    this.#build = build;
  }

  async execute(db: Db, values: P): Promise<R[]> {
    const present = Object.keys(values).filter(
      (name) => (values as Record<string, unknown>)[name] !== undefined,
    );
    const shape = present.join(',');
    let compiled = this.#compiled.get(shape);
    if (compiled === undefined) {
      compiled = this.#compile(db, present);
      this.#compiled.set(shape, compiled);
    }
    const parameters = compiled.parameters.map((parameter) =>
      'name' in parameter
        ? (values as Record<string, unknown>)[parameter.name]
        : parameter.constant,
    );
    const result = await db.executeQuery<R>({ ...compiled.query, parameters });
    return result.rows;
  }

  #compile(db: Db, present: readonly string[]): Compiled {
    const placeholders = Object.fromEntries(
      present.map((name) => [name, `${SENTINEL}${name}`]),
    ) as P;
    const query = this.#build(db, placeholders).compile();
    const parameters = query.parameters.map((parameter) =>
      typeof parameter === 'string' && parameter.startsWith(SENTINEL)
        ? { name: parameter.slice(SENTINEL.length) }
        : { constant: parameter },
    );
    return { query, parameters };
  }
}
