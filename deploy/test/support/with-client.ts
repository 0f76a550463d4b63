import pg from 'pg';

/** Runs `run` on a connection of its own to `databaseUrl`, closed afterwards whatever happens. */
export async function withClient<T>(
  databaseUrl: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
