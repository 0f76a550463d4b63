import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where the replica's PostgreSQL cluster and its pgBackRest repository live: everything a
 * separate process (`npm run backup`, `npm run restore`) needs to find them again.
 */
export interface ReplicaCluster {
  /** The folder holding `data/` (PGDATA), the server log, its socket and `pgbackrest/`. */
  readonly dir: string;
  readonly port: number;
  /** PostgreSQL's server binaries (pg_ctl). */
  readonly binDir: string;
}

/** pgBackRest's name for the one cluster it backs up. */
export const STANZA = 'replica';

export function pgdataOf(cluster: ReplicaCluster): string {
  return join(cluster.dir, 'data');
}

export function configPathOf(cluster: ReplicaCluster): string {
  return join(cluster.dir, 'pgbackrest', 'pgbackrest.conf');
}

/**
 * pgBackRest's configuration for the replica: a repository on the same machine (the
 * stand-in for the S3 bucket or AWS Backup vault), two full backups kept, lz4-compressed.
 * https://pgbackrest.org/configuration.html
 */
export function renderPgBackRestConfig(cluster: ReplicaCluster): string {
  const base = join(cluster.dir, 'pgbackrest');
  return [
    '# Rendered by deploy/local/pgbackrest.ts: edit the renderer, not this output.',
    '[global]',
    `repo1-path=${join(base, 'repo')}`,
    'repo1-retention-full=2',
    'compress-type=lz4',
    // A backup starts with an immediate checkpoint instead of waiting for the next one.
    'start-fast=y',
    `lock-path=${join(base, 'lock')}`,
    `log-path=${join(base, 'log')}`,
    'log-level-console=info',
    'log-level-file=off',
    '',
    `[${STANZA}]`,
    `pg1-path=${pgdataOf(cluster)}`,
    `pg1-port=${cluster.port}`,
    `pg1-socket-path=${cluster.dir}`,
    'pg1-user=postgres',
    '',
  ].join('\n');
}

/** The postgres system user owns the cluster when it runs as root (initdb refuses root). */
async function clusterOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Runs a command as the cluster's owner; streams each output line to `onLine`. */
export async function runAsOwner(
  file: string,
  args: readonly string[],
  onLine: (line: string) => void = () => undefined,
): Promise<string> {
  const asRoot = userInfo().uid === 0;
  const command = asRoot ? 'runuser' : file;
  const argv = asRoot ? ['-u', 'postgres', '--', file, ...args] : [...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let partial = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const code = await new Promise<number | string>((resolve) => {
    child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      output += String(error);
      resolve('spawn-error');
    });
  });
  if (partial.trim()) onLine(partial);
  if (code !== 0) {
    throw new Error(`${[file, ...args].join(' ')} failed (${code}):\n${output.slice(-4000)}`);
  }
  return output;
}

/** The pgBackRest commands for one replica cluster. */
export class PgBackRest {
  readonly cluster: ReplicaCluster;

  constructor(cluster: ReplicaCluster) {
    this.cluster = cluster;
  }

  get configPath(): string {
    return configPathOf(this.cluster);
  }

  /** The archive_command PostgreSQL runs for every finished WAL segment. */
  get archiveCommand(): string {
    return `pgbackrest --config=${this.configPath} --stanza=${STANZA} archive-push %p`;
  }

  /** Writes the config and creates the repository's folders, owned by the cluster's owner. */
  async writeConfig(): Promise<void> {
    const base = join(this.cluster.dir, 'pgbackrest');
    const owner = await clusterOwner();
    for (const dir of [base, join(base, 'repo'), join(base, 'lock'), join(base, 'log')]) {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      if (owner) await chown(dir, owner.uid, owner.gid);
    }
    await writeFile(this.configPath, renderPgBackRestConfig(this.cluster), { mode: 0o644 });
  }

  command(args: readonly string[], onLine?: (line: string) => void): Promise<string> {
    return runAsOwner(
      'pgbackrest',
      [`--config=${this.configPath}`, `--stanza=${STANZA}`, ...args],
      onLine,
    );
  }

  /** Creates the stanza (once, on an archiving server) and checks that archiving works. */
  async createStanza(onLine?: (line: string) => void): Promise<void> {
    await this.command(['stanza-create'], onLine);
    await this.check(onLine);
  }

  /** Switches to a new WAL segment and waits until it is in the repository. */
  check(onLine?: (line: string) => void): Promise<string> {
    return this.command(['check'], onLine);
  }

  /** A base backup: `full`, or `incr` (pgBackRest takes a full one when none exists). */
  backup(type: 'full' | 'incr' = 'incr', onLine?: (line: string) => void): Promise<string> {
    return this.command(['backup', `--type=${type}`], onLine);
  }

  /** The repository's backups and WAL range (`pgbackrest info --output=json`). */
  async info(): Promise<BackupInfo[]> {
    const text = await this.command(['info', '--output=json', '--log-level-console=warn']);
    const stanzas = JSON.parse(text) as { backup?: RawBackup[] }[];
    return (stanzas[0]?.backup ?? []).map((b) => ({
      label: b.label,
      type: b.type,
      startedAt: new Date(b.timestamp.start * 1000),
      stoppedAt: new Date(b.timestamp.stop * 1000),
      bytes: b.info.size,
    }));
  }

  /**
   * Restores PGDATA (the server must be stopped): to `target` (a time) and promoted there,
   * or to the end of the archived WAL when `target` is `latest`.
   */
  async restore(target: Date | 'latest', onLine?: (line: string) => void): Promise<void> {
    const pgdata = pgdataOf(this.cluster);
    const args = ['restore', '--log-level-console=detail'];
    if (existsSync(join(pgdata, 'PG_VERSION'))) {
      // Only the files that differ from the backup are copied back.
      args.push('--delta');
    } else {
      const owner = await clusterOwner();
      await mkdir(pgdata, { recursive: true, mode: 0o700 });
      if (owner) await chown(pgdata, owner.uid, owner.gid);
    }
    if (target !== 'latest') {
      args.push('--type=time', `--target=${formatTarget(target)}`, '--target-action=promote');
    }
    await this.command(args, onLine);
  }
}

interface RawBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  timestamp: { start: number; stop: number };
  info: { size: number };
}

export interface BackupInfo {
  readonly label: string;
  readonly type: 'full' | 'diff' | 'incr';
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  /** Size of the database at backup time. */
  readonly bytes: number;
}

/** `2026-11-29 02:10:03.123+00`: a recovery_target_time PostgreSQL parses unambiguously. */
export function formatTarget(at: Date): string {
  return `${at.toISOString().replace('T', ' ').replace('Z', '')}+00`;
}
