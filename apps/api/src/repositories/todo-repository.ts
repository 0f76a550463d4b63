import { sql, type Kysely, type Selectable } from 'kysely';
import type { DatabaseSchema, TodoTable } from '../db/schema.ts';
import { PreparedQuery } from './prepared-query.ts';

export interface TodoRecord {
  readonly id: string;
  readonly listId: string;
  readonly title: string;
  readonly completed: boolean;
  readonly order: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface TodoChanges {
  readonly title?: string;
  readonly completed?: boolean;
  readonly order?: number;
}

type Db = Kysely<DatabaseSchema>;

const COLUMNS = [
  'id',
  'list_id',
  'title',
  'completed',
  'order',
  'created_at',
  'updated_at',
] as const;

/** The SQL of todos. Every statement is scoped by list: a todo id alone opens nothing. */
export const TodoRepository = {
  /** The list's todos in display order, or undefined when the list does not exist (one query). */
  async listByList(db: Db, listId: string): Promise<TodoRecord[] | undefined> {
    return listedTodos(await LIST_BY_LIST.execute(db, { listId }));
  },

  /** Creates a todo in the list; undefined when the list does not exist. */
  async create(
    db: Db,
    listId: string,
    todo: { id: string; title: string; completed: boolean; order: number },
  ): Promise<TodoRecord | undefined> {
    const [row] = await CREATE.execute(db, { listId, ...todo });
    return row && todoRecordOf(row);
  },

  async find(db: Db, listId: string, todoId: string): Promise<TodoRecord | undefined> {
    const [row] = await FIND.execute(db, { listId, todoId });
    return row && todoRecordOf(row);
  },

  async update(
    db: Db,
    listId: string,
    todoId: string,
    changes: TodoChanges,
  ): Promise<TodoRecord | undefined> {
    // One compiled statement per set of changed columns (at most 7).
    const [row] = await UPDATE.execute(db, { listId, todoId, ...changes });
    return row && todoRecordOf(row);
  },

  /** True when the todo existed (and is now gone). */
  async delete(db: Db, listId: string, todoId: string): Promise<boolean> {
    const result = await db
      .deleteFrom('todos')
      .where('id', '=', todoId)
      .where('list_id', '=', listId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  /**
   * Toggle-all, and the list as this statement left it: one statement, so no other writer's
   * change can slip in between the update and the read. Every todo of the list is updated
   * (its `updated_at` only when `completed` changes) so that every one is in RETURNING, as
   * this statement wrote it — a SELECT beside it would see the snapshot from before the
   * UPDATE, stale for rows a concurrent toggle changed meanwhile. Undefined when there is no list.
   */
  async setAllCompleted(
    db: Db,
    listId: string,
    completed: boolean,
  ): Promise<TodoRecord[] | undefined> {
    const { rows } = await sql<ListedTodoRow>`
      with changed as (
        update todos set completed = ${completed},
          updated_at = case when completed <> ${completed} then now() else updated_at end
        where list_id = ${listId}
        returning id, list_id, title, completed, "order", position, created_at, updated_at
      )
      select lists.id as list, changed.id, changed.list_id, changed.title, changed.completed,
        changed."order", changed.created_at, changed.updated_at
      from lists left join changed on changed.list_id = lists.id
      where lists.id = ${listId}
      order by changed."order", changed.position`.execute(db);
    return listedTodos(rows);
  },

  /** Empties the list, or clears its completed todos: one statement. */
  async deleteAll(db: Db, listId: string, onlyCompleted: boolean): Promise<void> {
    let query = db.deleteFrom('todos').where('list_id', '=', listId);
    if (onlyCompleted) query = query.where('completed', '=', true);
    await query.execute();
  },
};

type TodoRow = Omit<Selectable<TodoTable>, 'position'>;

/** The repository's record of a row of `todos`. */
function todoRecordOf(row: TodoRow): TodoRecord {
  return {
    id: row.id,
    listId: row.list_id,
    title: row.title,
    completed: row.completed,
    order: row.order,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const LIST_BY_LIST = new PreparedQuery((db, { listId }: { listId: string }) =>
  db
    .selectFrom('lists')
    .leftJoin('todos', 'todos.list_id', 'lists.id')
    .select([
      'lists.id as list',
      'todos.id',
      'todos.list_id',
      'todos.title',
      'todos.completed',
      'todos.order',
      'todos.created_at',
      'todos.updated_at',
    ])
    .where('lists.id', '=', listId)
    .orderBy('todos.order')
    .orderBy('todos.position'),
);

const CREATE = new PreparedQuery(
  (db, todo: { listId: string; id: string; title: string; completed: boolean; order: number }) =>
    db
      .insertInto('todos')
      .columns(['id', 'list_id', 'title', 'completed', 'order'])
      .expression(
        db
          .selectFrom('lists')
          .select([
            sql.val(todo.id).as('id'),
            'lists.id as list_id',
            sql.val(todo.title).as('title'),
            sql.val(todo.completed).as('completed'),
            sql.val(todo.order).as('order'),
          ])
          .where('lists.id', '=', todo.listId),
      )
      .returning(COLUMNS),
);

const FIND = new PreparedQuery((db, { listId, todoId }: { listId: string; todoId: string }) =>
  db.selectFrom('todos').select(COLUMNS).where('id', '=', todoId).where('list_id', '=', listId),
);

const UPDATE = new PreparedQuery(
  (db, { listId, todoId, ...changes }: { listId: string; todoId: string } & TodoChanges) =>
    db
      .updateTable('todos')
      .set({ ...changes, updated_at: sql<Date>`now()` })
      .where('id', '=', todoId)
      .where('list_id', '=', listId)
      .returning(COLUMNS),
);

/** A row of a list left-joined with its todos: the todo's columns are null for an empty list. */
type ListedTodoRow = { list: string } & { [K in keyof TodoRow]: TodoRow[K] | null };

/** The todos of list-join-todos rows; undefined when there is no row (no such list). */
/** The left join found a todo for this row (its id is a primary key: never null otherwise). */
function hasTodo(row: ListedTodoRow): row is ListedTodoRow & TodoRow {
  return row.id !== null;
}

function listedTodos(rows: readonly ListedTodoRow[]): TodoRecord[] | undefined {
  if (rows.length === 0) return undefined;
  return rows.filter(hasTodo).map(todoRecordOf);
}
