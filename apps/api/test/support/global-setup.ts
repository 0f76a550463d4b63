import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrations.ts';

const run = promisify(execFile);
const workspace = join(import.meta.dirname, '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite folder to copy (its `pglite` subfolder). */
    pgliteTemplate: string;
    /** The same, before any migration. */
    pgliteEmptyTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const tsc = join(workspace, '../../node_modules/typescript/bin/tsc');
  const template = await mkdtemp(join(tmpdir(), 'cloud-todo-pglite-template-'));
  const [, database] = await Promise.all([
    run(process.execPath, [tsc, '-p', join(workspace, 'tsconfig.build.json')]),
    openDatabase({ kind: 'pglite', dataDir: template }),
  ]);
  await database.close();
  // PGlite's initdb is slow (seconds): do it once, keep an empty and a migrated copy.
  const empty = await mkdtemp(join(tmpdir(), 'cloud-todo-pglite-empty-'));
  await cp(join(template, 'pglite'), join(empty, 'pglite'), { recursive: true });
  const migrated = await openDatabase({ kind: 'pglite', dataDir: template });
  await migrateToLatest(migrated.db);
  await migrated.close();
  project.provide('pgliteTemplate', template);
  project.provide('pgliteEmptyTemplate', empty);
  return async () => {
    await rm(template, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  };
}
