import pg from 'pg';
import {
  createTestDatabase,
  findOrStartPostgres,
  postgresBinDir,
  startThrowawayCluster,
  withDatabase,
  type ThrowawayCluster,
} from '@cloud-todo/testkit';
import { PgBackRest, type ReplicaCluster } from './pgbackrest.ts';

/** Where the topology's PostgreSQL comes from. */
export type DatabaseSource =
  /** A URL the caller gives; the topology neither creates nor drops anything there. */
  | { readonly kind: 'url'; readonly url: string }
  /** A fresh database on the machine's server (or a throwaway cluster when none answers). */
  | { readonly kind: 'fresh' }
  /** A cluster of its own that can be stopped and started: the stand-in for a failover. */
  | { readonly kind: 'throwaway' }
  /**
   * A cluster of its own with continuous WAL archiving to a pgBackRest repository: the
   * stand-in for RDS's automated backups and point-in-time restore.
   */
  | { readonly kind: 'archived' };

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
  /** Stops answering without refusing anything (SIGSTOP): an RDS failover as clients see it. */
  freeze(): Promise<void>;
  /** Answers again after `freeze()`. */
  thaw(): Promise<void>;
  /** Drops what the topology created: the database, or the whole cluster. */
  dispose(): Promise<void>;
  /** Set for an `archived` cluster: where pgBackRest finds it. */
  readonly replica?: ReplicaCluster;
}

export async function provisionDatabase(source: DatabaseSource): Promise<TopologyDatabase> {
  if (source.kind === 'url') {
    return {
      url: source.url,
      source: 'url',
      restartable: false,
      stop: notRestartable,
      start: notRestartable,
      freeze: notRestartable,
      thaw: notRestartable,
      dispose: () => Promise.resolve(),
    };
  }
  if (source.kind === 'throwaway' || source.kind === 'archived') {
    const cluster = await startThrowawayCluster();
    try {
      if (source.kind === 'archived') return await archivedDatabase(cluster);
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
    freeze: notRestartable,
    thaw: notRestartable,
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
    freeze: () => cluster.freeze(),
    thaw: () => cluster.thaw(),
    dispose: () => cluster.destroy(),
  };
}

/**
 * Turns WAL archiving on (a restart, as `archive_mode` needs one) and creates the pgBackRest
 * stanza. The server's own settings go into postgresql.auto.conf, so that `pg_ctl start`
 * from another process (`npm run restore`) starts it the same way, and a restored PGDATA
 * keeps archiving.
 */
async function archivedDatabase(cluster: ThrowawayCluster): Promise<TopologyDatabase> {
  const replica: ReplicaCluster = {
    dir: cluster.dataDir,
    port: cluster.port,
    binDir: await postgresBinDir(),
  };
  const pgbackrest = new PgBackRest(replica);
  await pgbackrest.writeConfig();
  const settings: Record<string, string> = {
    port: String(cluster.port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: cluster.dataDir,
    max_connections: '200',
    wal_level: 'replica',
    archive_mode: 'on',
    archive_command: pgbackrest.archiveCommand,
    // A segment is archived at least this often under any write load: the RPO bound when
    // the data directory itself is lost (RDS uploads its transaction logs every 5 minutes).
    archive_timeout: '60s',
  };
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    for (const [name, value] of Object.entries(settings)) {
      await admin.query(`alter system set ${name} = ${pg.escapeLiteral(value)}`);
    }
  } finally {
    await admin.end();
  }
  await cluster.stop('fast');
  await cluster.start();
  await pgbackrest.createStanza();
  return { ...(await databaseInCluster(cluster)), source: 'archived', replica };
}

function notRestartable(): Promise<void> {
  return Promise.reject(
    new Error('only a throwaway cluster can be stopped and started (the machine server is shared)'),
  );
}
