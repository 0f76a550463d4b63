import pg from 'pg';

/**
 * Runs `run` on a connection of its own to `databaseUrl`, closed afterwards whatever happens.
 * A database left frozen (a thaw that failed) fails it within seconds instead of hanging the
 * test until its timeout.
 */
export async function withClient<T>(
  databaseUrl: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
  });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
