import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetRecoveryPointRestoreMetadataCommand,
  DescribeRestoreJobCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import {
  ModifyDBInstanceCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRestoreArgs } from '../../src/ops/restore.ts';
import { stackNames } from '../../src/stack-outputs.ts';
import { resourcesOf, templates } from '../templates.ts';
import { ids, run, setup, STATEFUL } from './restore-fixture.ts';

/**
 * docs/backup.md's manual fallback ("On AWS by hand") against the command and the synthesized
 * prod stacks: every parameter the command sends (recorded from a run against mocked AWS
 * clients, aws-sdk-client-mock) has its AWS CLI option in the manual commands, each value the
 * manual commands take from a stack output (`out`) or the template (`tpl`, `flag`) is the one
 * the command sends, and every output and property they name exists.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const doc = readFileSync(join(root, 'docs', 'backup.md'), 'utf8');
const section = doc.slice(
  doc.indexOf('### On AWS by hand (the fallback)'),
  doc.indexOf('## The local drill'),
);

/** The shell command on the line that contains `start`, with its continuation lines. */
function command(start: string): string {
  const lines = section.split('\n');
  let i = lines.findIndex((l) => l.includes(start));
  expect(i, `docs/backup.md has no "${start}" in its manual fallback`).toBeGreaterThanOrEqual(0);
  let text = lines[i]!;
  while (lines[i]!.trimEnd().endsWith('\\')) text += `\n${lines[++i]!}`;
  return text;
}

/** The AWS CLI option of an API parameter (botocore's name transformation). */
const option = (parameter: string) =>
  parameter
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z\d])([A-Z])/g, '$1-$2')
    .toLowerCase();

const { stateful, services } = templates('prod');
const database = Object.values(resourcesOf(stateful, 'AWS::RDS::DBInstance'))[0]!.Properties!;
const outputs: Record<string, Record<string, string>> = {
  Stateful: STATEFUL,
  Services: { ClusterName: 'cluster-prod', ApiServiceName: 'api-prod' },
};

/**
 * Checks one manual command against the input the command sent: each parameter has its
 * option, and each option whose value is `$(out …)`, `$(tpl …)` or `$(flag …)` gets that value.
 */
function expectSameCall(manual: string, input: Record<string, unknown>, skip: string[] = []) {
  const parameters = Object.keys(input).filter((p) => !skip.includes(p));
  for (const parameter of parameters) {
    const name = option(parameter);
    expect(manual, `--${name}`).toMatch(
      new RegExp(`--(no-)?${name}(\\s|$)|\\$\\(flag \\w+ ${name}\\)`),
    );
  }
  const byOption = new Map(parameters.map((p) => [option(p), p]));
  for (const m of manual.matchAll(/--([a-z-]+)\s+"?\$\((out|tpl) (\w+)(?: (\w+))?\)"?/g)) {
    const [, name, source, first, second] = m;
    const parameter = byOption.get(name!);
    expect(parameter, `--${name} is not a parameter the command sends`).toBeDefined();
    const value = source === 'out' ? outputs[first!]![second!] : database[first!];
    expect([input[parameter!]].flat(), `--${name}`).toEqual([value].flat());
  }
  for (const [, property, name] of manual.matchAll(/\$\(flag (\w+) ([a-z-]+)\)/g)) {
    expect(input[byOption.get(name!)!], `$(flag ${property} ${name})`).toBe(
      database[property!] === true,
    );
  }
}

/** What the command sent in one recorded call. */
const inputOf = (call: { args: [{ input: object }] } | undefined): Record<string, unknown> => {
  expect(call, 'the command made the call').toBeDefined();
  return { ...call!.args[0].input };
};

describe('docs/backup.md manual fallback against the restore command (aws-sdk-client-mock)', () => {
  let pointInTime: Record<string, unknown>;
  let settings: Record<string, unknown>;
  let restoreJob: Record<string, unknown>;
  let recoveryPointSettings: Record<string, unknown>;

  beforeAll(async () => {
    let env = setup();
    await run(env.clients, parseRestoreArgs(['prod', '--to', '2026-05-01T09:30:00Z']));
    pointInTime = inputOf(env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0]);
    settings = inputOf(env.mocks.rds.commandCalls(ModifyDBInstanceCommand)[0]);

    env = setup();
    env.mocks.backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: {} });
    env.mocks.backup.on(StartRestoreJobCommand).callsFake(() => {
      env.instances.set(ids.restored, env.restoredInstance());
      return { RestoreJobId: 'job-1' };
    });
    env.mocks.backup.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED' });
    const arn = 'arn:aws:backup:us-east-1:123456789012:recovery-point:rp-1';
    await run(env.clients, parseRestoreArgs(['prod', '--recovery-point', arn]));
    restoreJob = inputOf(env.mocks.backup.commandCalls(StartRestoreJobCommand)[0]);
    recoveryPointSettings = inputOf(env.mocks.rds.commandCalls(ModifyDBInstanceCommand)[0]);
  });

  it('the point-in-time restore has every setting the command gives it, from the same source', () => {
    expectSameCall(command('aws rds restore-db-instance-to-point-in-time'), pointInTime);
  });

  it('the settings step has every setting the command corrects after either restore', () => {
    expect(recoveryPointSettings).toEqual(settings);
    expectSameCall(command('--master-user-password'), settings);
  });

  it('the recovery-point branch is step by step: metadata, the keys the command sets, the job with the restore role, its status', () => {
    expect(section).toContain('aws backup get-recovery-point-restore-metadata');
    expectSameCall(command('aws backup start-restore-job'), restoreJob, ['Metadata']);
    for (const key of Object.keys(restoreJob.Metadata as Record<string, string>)) {
      expect(section, `the metadata key ${key}`).toMatch(new RegExp(`\\b${key}: `));
    }
    expect(section).toContain('aws backup describe-restore-job --restore-job-id');
    // After a recovery point, the stack's parameter group needs a reboot to apply.
    expect(section).toContain('aws rds reboot-db-instance --db-instance-identifier "$NEW"');
  });

  it('names only outputs and template properties that the synthesized prod stacks have', () => {
    const names = stackNames('prod');
    const stackOutputs = {
      Stateful: Object.keys(stateful.toJSON().Outputs as object),
      Services: Object.keys(services.toJSON().Outputs as object),
    } as Record<string, string[]>;
    const outs = [...section.matchAll(/\$\(out (\w+) (\w+)\)/g)];
    expect(outs.length).toBeGreaterThan(10);
    for (const [, stack, key] of outs) {
      expect(
        stackOutputs[stack!],
        `${names.stateful.replace('Stateful', stack!)}.${key}`,
      ).toContain(key);
    }
    const properties = [...section.matchAll(/\$\((?:tpl|flag) (\w+)/g)].map((m) => m[1]!);
    expect(properties.length).toBeGreaterThan(10);
    for (const property of properties) {
      const value = database[property];
      expect(value, property).toBeDefined();
      // A literal in the template, not a reference that get-template would print unresolved.
      expect(JSON.stringify(value), property).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
    }
  });
});
