import { loadConfigOrExit } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrations.ts';
import { createLogger } from './logger.ts';

/** One-off: brings the schema up to date and exits; non-zero on any failure. */
async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  try {
    const database = await openDatabase(config.database, {}, 'migrate');
    try {
      const result = await migrateToLatest(database.db);
      const applied = result.results?.map((r) => r.migrationName) ?? [];
      logger.info({ applied }, applied.length > 0 ? 'migrated' : 'schema is current');
      return 0;
    } finally {
      await database.close();
    }
  } catch (error) {
    logger.fatal({ err: error }, 'migration failed');
    return 1;
  }
}

process.exitCode = await main();
