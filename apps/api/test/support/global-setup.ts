import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
  }
}

export default async function setup(project: TestProject) {
  const tsc = join(workspace, '../../node_modules/typescript/bin/tsc');
  const template = await mkdtemp(join(tmpdir(), 'cloud-todo-pglite-template-'));
  const [, database] = await Promise.all([
    run(process.execPath, [tsc, '-p', join(workspace, 'tsconfig.build.json')]),
    openDatabase({ kind: 'pglite', dataDir: template }),
  ]);
  await migrateToLatest(database.db);
  await database.close();
  project.provide('pgliteTemplate', template);
  return async () => {
    await rm(template, { recursive: true, force: true });
  };
}
