import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as createListsAndTodos from '../migrations/0001-create-lists-and-todos.ts';

/** Every migration, in order. Names never change once released. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-create-lists-and-todos': createListsAndTodos,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1) as string;

function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
  });
}

/**
 * Brings the schema up to date. Kysely's PostgreSQL adapter takes a session advisory lock
 * (`pg_advisory_lock`) around the run and runs the migrations in one transaction, so
 * several processes starting together migrate once and the others wait, then find
 * nothing to do.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest();
  if (result.error !== undefined) {
    throw result.error instanceof Error ? result.error : new Error(JSON.stringify(result.error));
  }
  return result;
}

/** True when every migration this build knows has been applied (one indexed read). */
export async function isSchemaCurrent<DB>(db: Kysely<DB>): Promise<boolean> {
  try {
    const result = await sql<{ name: string }>`
      select name from kysely_migration where name = ${LATEST_MIGRATION}`.execute(db);
    return result.rows.length > 0;
  } catch (error) {
    // 42P01 undefined_table: nothing has been migrated yet.
    if ((error as { code?: unknown }).code === '42P01') return false;
    throw error;
  }
}
