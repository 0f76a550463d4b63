import type { ColumnType, Generated } from 'kysely';

/** The tables as Kysely sees them; the migrations in `src/migrations` create them. */
export interface DatabaseSchema {
  lists: ListTable;
  todos: TodoTable;
  idempotency_keys: IdempotencyKeyTable;
}

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ListTable {
  id: string;
  title: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TodoTable {
  id: string;
  list_id: string;
  title: string;
  completed: Generated<boolean>;
  order: Generated<number>;
  /** Creation sequence: breaks ties of `order` by creation, deterministically. */
  position: ColumnType<string, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_body: ColumnType<unknown, string, string>;
  created_at: Timestamp;
}
