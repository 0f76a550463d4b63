import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplicaCluster } from './pgbackrest.ts';
import type { RestoreScope } from './replica-restore.ts';
import type { Topology } from './topology.ts';

/**
 * What `npm run backup` and `npm run restore` need to know about a running stack, written
 * by `npm run stack` into its run folder (`stack.json`), with a pointer to the newest one.
 */
export interface StackState {
  readonly url: string;
  readonly databaseUrl: string;
  readonly adminSocket: string;
  readonly apis: readonly { readonly name: string; readonly port: number }[];
  /** Absent when the stack runs without WAL archiving (`--database-url`, `--shared-db`). */
  readonly replica?: ReplicaCluster;
}

/** Where the newest stack's run folder is noted (one machine, one user: the temp folder). */
export const CURRENT_STACK_FILE = join(tmpdir(), 'cloud-todo-stack.json');

export async function writeStackState(topology: Topology): Promise<void> {
  const state: StackState = {
    url: topology.url,
    databaseUrl: topology.database.url,
    adminSocket: topology.admin.socketPath,
    apis: topology.list('api').map((i) => ({ name: i.name, port: i.port })),
    ...(topology.database.replica ? { replica: topology.database.replica } : {}),
  };
  await writeFile(join(topology.runDir, 'stack.json'), JSON.stringify(state, null, 2), {
    mode: 0o600,
  });
  // Best effort: another user's stack may own the pointer; `--stack <run folder>` still works.
  await writeFile(CURRENT_STACK_FILE, JSON.stringify({ runDir: topology.runDir }), {
    mode: 0o600,
  }).catch(() => undefined);
}

/** Forgets the pointer when it still names this stack. */
export async function clearStackState(runDir: string): Promise<void> {
  const current = await readFile(CURRENT_STACK_FILE, 'utf8').catch(() => '');
  if (current.includes(JSON.stringify(runDir))) await rm(CURRENT_STACK_FILE, { force: true });
}

/** Reads the stack in `runDir`, or the newest running one. */
export async function readStackState(runDir?: string): Promise<StackState> {
  let dir = runDir;
  if (!dir) {
    if (!existsSync(CURRENT_STACK_FILE)) {
      throw new Error(
        'no stack is running: start one with `npm run stack` (or pass --stack <run folder>)',
      );
    }
    dir = (JSON.parse(await readFile(CURRENT_STACK_FILE, 'utf8')) as { runDir: string }).runDir;
  }
  const file = join(dir, 'stack.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: is the stack still running?`);
  return JSON.parse(await readFile(file, 'utf8')) as StackState;
}

/** The restore's scope; throws when the stack does not archive its WAL. */
export function restoreScope(state: StackState): RestoreScope & { replica: ReplicaCluster } {
  if (!state.replica) {
    throw new Error(
      'this stack runs without WAL archiving (--database-url or --shared-db): restart it without those options',
    );
  }
  return {
    replica: state.replica,
    databaseUrl: state.databaseUrl,
    adminSocket: state.adminSocket,
    apis: state.apis,
  };
}
