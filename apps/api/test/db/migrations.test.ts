import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { LATEST_MIGRATION, isSchemaCurrent, migrateToLatest } from '../../src/db/migrations.ts';
import { ENGINES, createEngineDatabase, type EngineDatabase } from '../support/engines.ts';

describe.each(ENGINES)('migrations on %s', (engine) => {
  let engineDatabase: EngineDatabase | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    await engineDatabase?.cleanup();
  });

  it('migrate an empty database, then find an up-to-date one current and change nothing', async () => {
    engineDatabase = await createEngineDatabase(engine, { migrated: false });
    database = await openDatabase(engineDatabase.config);
    expect(await isSchemaCurrent(database.db)).toBe(false);

    const first = await migrateToLatest(database.db);
    expect(first.results?.map((result) => [result.migrationName, result.status])).toEqual([
      [LATEST_MIGRATION, 'Success'],
    ]);
    expect(await isSchemaCurrent(database.db)).toBe(true);
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' order by table_name`.execute(database.db);
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['idempotency_keys', 'lists', 'todos']),
    );

    const second = await migrateToLatest(database.db);
    expect(second.results).toEqual([]);
    expect(await isSchemaCurrent(database.db)).toBe(true);
  });
});
