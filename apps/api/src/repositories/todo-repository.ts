import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.ts';

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
    const rows = await db
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
      .orderBy('todos.position')
      .execute();
    return listedTodos(rows);
  },

  /** Creates a todo in the list; undefined when the list does not exist. */
  async create(
    db: Db,
    listId: string,
    todo: { id: string; title: string; completed: boolean; order: number },
  ): Promise<TodoRecord | undefined> {
    const row = await db
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
          .where('lists.id', '=', listId),
      )
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toTodo(row);
  },

  async find(db: Db, listId: string, todoId: string): Promise<TodoRecord | undefined> {
    const row = await db
      .selectFrom('todos')
      .select(COLUMNS)
      .where('id', '=', todoId)
      .where('list_id', '=', listId)
      .executeTakeFirst();
    return row && toTodo(row);
  },

  async update(
    db: Db,
    listId: string,
    todoId: string,
    changes: TodoChanges,
  ): Promise<TodoRecord | undefined> {
    const row = await db
      .updateTable('todos')
      .set({ ...changes, updated_at: sql<Date>`now()` })
      .where('id', '=', todoId)
      .where('list_id', '=', listId)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toTodo(row);
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

function toTodo(row: {
  id: string;
  list_id: string;
  title: string;
  completed: boolean;
  order: number;
  created_at: Date;
  updated_at: Date;
}): TodoRecord {
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

/** A row of a list left-joined with its todos: the todo's columns are null for an empty list. */
type ListedTodoRow = { list: string } & {
  [K in keyof Parameters<typeof toTodo>[0]]: Parameters<typeof toTodo>[0][K] | null;
};

/** The todos of list-join-todos rows; undefined when there is no row (no such list). */
function listedTodos(rows: readonly ListedTodoRow[]): TodoRecord[] | undefined {
  if (rows.length === 0) return undefined;
  return rows.flatMap((row) =>
    row.id === null ? [] : [toTodo(row as Parameters<typeof toTodo>[0])],
  );
}
