import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_LOG_EXPORTS } from '../../src/ops/restore.ts';
import { PROFILES } from '../../src/profile.ts';
import { stackNames } from '../../src/stack-outputs.ts';
import { resourcesOf, templates } from '../templates.ts';

const infra = join(import.meta.dirname, '..', '..');
const restore = (...args: string[]) =>
  spawnSync(process.execPath, [join(infra, 'bin', 'restore.ts'), ...args], {
    cwd: infra,
    encoding: 'utf8',
    // No AWS credentials (and no instance metadata to find some in): a dry run must not need them.
    env: { PATH: process.env.PATH, HOME: infra, AWS_EC2_METADATA_DISABLED: 'true' },
  });

/** `npm run restore -w infra -- prod --latest --dry-run`, checked against the synthesized prod stacks. */
describe('restore --dry-run', () => {
  const run = restore('prod', '--latest', '--dry-run');
  const { stateful, services } = templates('prod');
  const outputsOf = (t: typeof stateful) =>
    Object.keys(t.toJSON().Outputs as Record<string, unknown>);

  it('prints the plan without calling AWS', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Restore plan for profile prod \(us-east-1\):/);
    expect(run.stdout).toContain('dry run: nothing was called beyond reading the stack outputs');
  });

  it('names only stacks and outputs that the synthesized prod stacks have', () => {
    const names = stackNames('prod');
    const references = [...run.stdout.matchAll(/‹([\w-]+)\.(\w+)›/g)].map(
      (m) => [m[1]!, m[2]!] as const,
    );
    expect(references.length).toBeGreaterThanOrEqual(8);
    const outputs: Record<string, string[]> = {
      [names.stateful]: outputsOf(stateful),
      [names.services]: outputsOf(services),
    };
    for (const [stack, output] of references) {
      expect(outputs[stack], stack).toBeDefined();
      expect(outputs[stack], `${stack}.${output}`).toContain(output);
    }
    for (const step of [
      'Read the outputs',
      'point-in-time restore',
      'master password',
      'Switch: rename',
      'Redeploy the api',
      'delete it',
    ]) {
      expect(run.stdout).toContain(step);
    }
  });

  it('states the settings the stack gives the database', () => {
    const instance = Object.values(resourcesOf(stateful, 'AWS::RDS::DBInstance'))[0]!.Properties!;
    const db = PROFILES.prod.database;
    expect(instance).toMatchObject({
      DBInstanceClass: `db.${db.instanceType}`,
      MultiAZ: db.multiAz,
      DeletionProtection: db.deletionProtection,
      MaxAllocatedStorage: db.maxAllocatedStorageGiB,
      BackupRetentionPeriod: db.backupRetentionDays,
      StorageType: 'gp3',
      EnableCloudwatchLogsExports: DATABASE_LOG_EXPORTS,
    });
    expect(run.stdout).toContain(
      `class ${String(instance.DBInstanceClass)}, Multi-AZ on, deletion protection on`,
    );
    expect(run.stdout).toContain(`up to ${db.maxAllocatedStorageGiB} GiB`);
    expect(run.stdout).toContain(`backups kept ${db.backupRetentionDays} days`);
  });

  it('exits 2 with the usage on bad arguments', () => {
    const bad = restore('prod', '--yesterday');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('restore: unknown argument "--yesterday"');
    expect(bad.stderr).toContain('usage: npm run restore -w infra --');
  });
});
