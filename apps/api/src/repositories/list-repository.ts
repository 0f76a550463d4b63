import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, ListTable } from '../db/schema.ts';

export interface ListRecord {
  readonly id: string;
  readonly title: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

type Db = Kysely<DatabaseSchema>;

/** The SQL of lists. */
export const ListRepository = {
  async create(db: Db, list: { id: string; title: string }): Promise<ListRecord> {
    const row = await db
      .insertInto('lists')
      .values({ id: list.id, title: list.title })
      .returningAll()
      .executeTakeFirstOrThrow();
    return listRecordOf(row);
  },

  /** Renames the list; undefined when there is no such list. */
  async updateTitle(db: Db, id: string, title: string): Promise<ListRecord | undefined> {
    const row = await db
      .updateTable('lists')
      .set({ title, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && listRecordOf(row);
  },

  async find(db: Db, id: string): Promise<ListRecord | undefined> {
    const row = await db.selectFrom('lists').selectAll().where('id', '=', id).executeTakeFirst();
    return row && listRecordOf(row);
  },
};

/** The repository's record of a row of `lists`. */
function listRecordOf(row: Selectable<ListTable>): ListRecord {
  return { id: row.id, title: row.title, createdAt: row.created_at, updatedAt: row.updated_at };
}
