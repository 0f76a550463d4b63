import {
  createTestDatabase,
  findOrStartPostgres,
  startThrowawayCluster,
  withDatabase,
  type ThrowawayCluster,
} from '@cloud-todo/testkit';

/** Where the topology's PostgreSQL comes from. */
export type DatabaseSource =
  /** A URL the caller gives; the topology neither creates nor drops anything there. */
  | { readonly kind: 'url'; readonly url: string }
  /** A fresh database on the machine's server (or a throwaway cluster when none answers). */
  | { readonly kind: 'fresh' }
  /** A cluster of its own that can be stopped and started: the stand-in for a failover. */
  | { readonly kind: 'throwaway' };

export interface TopologyDatabase {
  /** Connection URL the API instances use. */
  readonly url: string;
  readonly source: DatabaseSource['kind'];
  /** True when `stop()` and `start()` work (a throwaway cluster). */
  readonly restartable: boolean;
  /** Stops the server (`fast`: clean shutdown, clients disconnected; `immediate`: a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Drops what the topology created: the database, or the whole cluster. */
  dispose(): Promise<void>;
}

export async function provisionDatabase(source: DatabaseSource): Promise<TopologyDatabase> {
  if (source.kind === 'url') {
    return {
      url: source.url,
      source: 'url',
      restartable: false,
      stop: notRestartable,
      start: notRestartable,
      dispose: () => Promise.resolve(),
    };
  }
  if (source.kind === 'throwaway') {
    const cluster = await startThrowawayCluster();
    try {
      return await databaseInCluster(cluster);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }
  const server = await findOrStartPostgres();
  const database = await createTestDatabase(server.adminUrl, 'topology');
  return {
    url: database.url,
    source: 'fresh',
    restartable: false,
    stop: notRestartable,
    start: notRestartable,
    async dispose() {
      await database.drop().catch(() => undefined);
      await server.dispose?.();
    },
  };
}

async function databaseInCluster(cluster: ThrowawayCluster): Promise<TopologyDatabase> {
  const database = await createTestDatabase(cluster.url, 'topology');
  return {
    url: withDatabase(cluster.url, database.name),
    source: 'throwaway',
    restartable: true,
    stop: (mode = 'fast') => cluster.stop(mode),
    start: () => cluster.start(),
    dispose: () => cluster.destroy(),
  };
}

function notRestartable(): Promise<void> {
  return Promise.reject(
    new Error('only a throwaway cluster can be stopped and started (the machine server is shared)'),
  );
}
