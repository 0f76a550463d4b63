import {
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeDBInstanceAutomatedBackupsCommand,
  ModifyDBInstanceCommand,
  RebootDBInstanceCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/ops/operation-error.ts';
import {
  dryRunPlan,
  parseRestoreArgs,
  restoreIdentifiers,
  restoreSummary,
} from '../../src/ops/restore.ts';
import { PROFILES } from '../../src/profile.ts';
import { ENDPOINT, ids, KEY, OLD, run, setup, START, STATEFUL } from './restore-fixture.ts';

/**
 * The restore's call sequence and failure handling against mocked AWS SDK clients
 * (aws-sdk-client-mock): what it asks AWS, in which order, with which settings — not whether
 * AWS does it, which only a restore drill in a real account shows (docs/backup.md).
 */

describe('restore command arguments', () => {
  it('takes a profile and exactly one source', () => {
    expect(parseRestoreArgs(['prod', '--latest', '--dry-run'])).toEqual({
      profileName: 'prod',
      source: { kind: 'latest' },
      dryRun: true,
    });
    expect(parseRestoreArgs(['dev', '--to', '2026-05-01T09:30:00Z']).source).toEqual({
      kind: 'point-in-time',
      time: new Date('2026-05-01T09:30:00Z'),
    });
    const arn =
      'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
    expect(parseRestoreArgs(['course', '--recovery-point', arn]).source).toEqual({
      kind: 'recovery-point',
      arn,
    });
  });

  it.each([
    [[], /name the profile/],
    [['staging', '--latest'], /unknown profile "staging"/],
    [['prod'], /say what to restore/],
    [['prod', '--latest', '--to', '2026-05-01T09:30:00Z'], /exactly one of/],
    [['prod', '--to', '2026-05-01 09:30'], /ISO 8601 time with a zone/],
    [['prod', '--to', '2026-05-01T09:30:00'], /with a zone/],
    [['prod', '--recovery-point', 'rp-1'], /recovery point ARN/],
    [['prod', '--latest', '--force'], /unknown argument "--force"/],
  ])('refuses %j with a message and the usage', (argv, message) => {
    expect(() => parseRestoreArgs(argv)).toThrow(message);
    expect(() => parseRestoreArgs(argv)).toThrow(/usage: npm run restore -w infra/);
  });
});

describe('restore --dry-run with readable stacks (aws-sdk-client-mock)', () => {
  it('names the real instance, groups and key, and calls nothing but DescribeStacks', async () => {
    const env = setup();
    const lines = await dryRunPlan(
      parseRestoreArgs(['prod', '--latest', '--dry-run']),
      env.clients.cloudFormation,
      new Date(START),
    );
    const plan = lines.join('\n');
    // The vault and the restore role appear only in a --recovery-point plan.
    const onlyForRecoveryPoints = [STATEFUL.BackupVaultName, STATEFUL.BackupRestoreRoleArn];
    for (const value of Object.values(STATEFUL).filter((v) => !onlyForRecoveryPoints.includes(v)))
      expect(plan).toContain(value);
    expect(plan).toContain('cluster-prod/api-prod');
    expect(plan).not.toContain('‹');
    expect(plan).toContain('dry run: only the stack outputs were read');
    expect(env.mocks.rds.calls()).toHaveLength(0);
    expect(env.mocks.secrets.calls()).toHaveLength(0);
    expect(env.mocks.ecs.calls()).toHaveLength(0);
  });
});

describe('restore call sequence (aws-sdk-client-mock)', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('--latest: restores with the stack’s settings, sets the password, switches by name, redeploys the api', async () => {
    const lines: string[] = [];
    const report = await run(env.clients, parseRestoreArgs(['prod', '--latest']), lines);

    const restore = env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand);
    expect(restore).toHaveLength(1);
    expect(restore[0]!.args[0].input).toMatchObject({
      SourceDBInstanceIdentifier: OLD,
      TargetDBInstanceIdentifier: ids.restored,
      UseLatestRestorableTime: true,
      DBInstanceClass: 'db.t4g.medium',
      DBSubnetGroupName: 'cloudtodo-prod-subnets',
      VpcSecurityGroupIds: ['sg-db'],
      DBParameterGroupName: 'cloudtodo-prod-params',
      MultiAZ: true,
      DeletionProtection: true,
      PubliclyAccessible: false,
      StorageType: 'gp3',
    });
    const modifies = env.mocks.rds
      .commandCalls(ModifyDBInstanceCommand)
      .map((c) => c.args[0].input);
    expect(modifies).toEqual([
      expect.objectContaining({
        DBInstanceIdentifier: ids.restored,
        MasterUserPassword: 'current-password',
        DBParameterGroupName: 'cloudtodo-prod-params',
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: KEY,
        PreferredMaintenanceWindow: 'sun:04:30-sun:05:00',
        ApplyImmediately: true,
      }),
      { DBInstanceIdentifier: OLD, NewDBInstanceIdentifier: ids.replaced, ApplyImmediately: true },
      { DBInstanceIdentifier: ids.restored, NewDBInstanceIdentifier: OLD, ApplyImmediately: true },
    ]);
    expect(env.instances.get(OLD)?.DbiResourceId).toBe('db-NEW');
    expect(env.instances.get(ids.replaced)?.DbiResourceId).toBe('db-OLD');
    // Same identifier, same endpoint: the secret's host needs no change.
    expect(env.mocks.secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(env.mocks.ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'cluster-prod',
      service: 'api-prod',
      forceNewDeployment: true,
    });
    expect(env.mocks.rds.commandCalls(RebootDBInstanceCommand)).toHaveLength(0);
    expect(report).toMatchObject({ instanceId: OLD, replacedInstanceId: ids.replaced });
    expect(report.phases.map((p) => p.name)).toEqual([
      'restore',
      'password and settings',
      'switch',
      'api redeploy',
    ]);
    expect(lines.join('\n')).toContain(`Restore plan for profile prod`);
  });

  it('--to: restores to that time, and refuses a time outside the point-in-time window before calling RDS', async () => {
    await run(env.clients, parseRestoreArgs(['prod', '--to', '2026-05-01T09:30:00Z']));
    expect(
      env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0]!.args[0].input,
    ).toMatchObject({
      RestoreTime: new Date('2026-05-01T09:30:00Z'),
    });

    env = setup();
    await expect(
      run(env.clients, parseRestoreArgs(['prod', '--to', '2026-05-01T09:59:00Z'])),
    ).rejects.toThrow(/after the latest restorable time 2026-05-01T09:55:00.000Z/);
    await expect(
      run(env.clients, parseRestoreArgs(['prod', '--to', '2026-03-01T00:00:00Z'])),
    ).rejects.toThrow(/before the 35-day point-in-time window; use --recovery-point/);
    expect(env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
  });

  it('--recovery-point: an AWS Backup restore job with the restore role and the stack’s settings', async () => {
    const arn = 'arn:aws:backup:us-east-1:123456789012:recovery-point:rp-1';
    env.mocks.backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({
      RestoreMetadata: { DBInstanceIdentifier: OLD, Engine: 'postgres', MultiAZ: 'false' },
    });
    env.mocks.backup.on(StartRestoreJobCommand).callsFake(() => {
      // A restore that brought its own parameter group: the command must correct it and reboot.
      env.instances.set(
        ids.restored,
        env.restoredInstance({
          DBParameterGroups: [
            { DBParameterGroupName: 'default.postgres18', ParameterApplyStatus: 'in-sync' },
          ],
        }),
      );
      return { RestoreJobId: 'job-1' };
    });
    env.mocks.backup
      .on(DescribeRestoreJobCommand)
      .resolvesOnce({ Status: 'RUNNING', PercentDone: '40%' })
      .resolves({ Status: 'COMPLETED' });

    await run(env.clients, parseRestoreArgs(['prod', '--recovery-point', arn]));
    const start = env.mocks.backup.commandCalls(StartRestoreJobCommand)[0]!.args[0].input;
    expect(start).toMatchObject({
      RecoveryPointArn: arn,
      IamRoleArn: STATEFUL.BackupRestoreRoleArn,
      ResourceType: 'RDS',
      Metadata: {
        Engine: 'postgres',
        DBInstanceIdentifier: ids.restored,
        DBParameterGroupName: 'cloudtodo-prod-params',
        DBSubnetGroupName: 'cloudtodo-prod-subnets',
        VpcSecurityGroupIds: '["sg-db"]',
        MultiAZ: 'true',
        DeletionProtection: 'true',
      },
    });
    expect(env.mocks.backup.commandCalls(DescribeRestoreJobCommand)).toHaveLength(2);
    // What the restore job cannot set is set afterwards, as the stack has it.
    expect(env.mocks.rds.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toMatchObject({
      DBInstanceIdentifier: ids.restored,
      DBParameterGroupName: 'cloudtodo-prod-params',
      MultiAZ: true,
      DeletionProtection: true,
      MaxAllocatedStorage: 200,
      CloudwatchLogsExportConfiguration: { EnableLogTypes: ['postgresql', 'upgrade'] },
      EnablePerformanceInsights: true,
    });
    expect(env.mocks.rds.commandCalls(RebootDBInstanceCommand)).toHaveLength(1);
    expect(env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
  });

  it('stops before switching when the restore job fails, and says why', async () => {
    env.mocks.backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: {} });
    env.mocks.backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-2' });
    env.mocks.backup
      .on(DescribeRestoreJobCommand)
      .resolves({ Status: 'FAILED', StatusMessage: 'Insufficient capacity' });
    const arn = 'arn:aws:backup:us-east-1:123456789012:recovery-point:rp-2';
    const failure = run(env.clients, parseRestoreArgs(['prod', '--recovery-point', arn]));
    await expect(failure).rejects.toThrow(OperationError);
    await expect(failure).rejects.toThrow(/restore job job-2 ended FAILED: Insufficient capacity/);
    expect(env.mocks.rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(env.mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('refuses a recovery point that is not in the stack’s vault', async () => {
    env.mocks.backup
      .on(GetRecoveryPointRestoreMetadataCommand)
      .rejects(new Error('Recovery point not found'));
    const arn = 'arn:aws:backup:us-east-1:123456789012:recovery-point:nope';
    await expect(
      run(env.clients, parseRestoreArgs(['prod', '--recovery-point', arn])),
    ).rejects.toThrow(/is not in the vault vault-prod: Recovery point not found/);
    expect(env.mocks.backup.commandCalls(StartRestoreJobCommand)).toHaveLength(0);
  });

  it('switches nothing when the restored instance is not under the stack’s key', async () => {
    env.mocks.rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake(() => {
      env.instances.set(
        ids.restored,
        env.restoredInstance({ KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/other' }),
      );
      return {};
    });
    await expect(run(env.clients, parseRestoreArgs(['prod', '--latest']))).rejects.toThrow(
      /encrypted with arn:aws:kms:us-east-1:123456789012:key\/other, not the stack's key/,
    );
    expect(env.mocks.rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  it('fails clearly when the restored instance fails, and when a stack output is missing', async () => {
    env.mocks.rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake(() => {
      env.instances.set(
        ids.restored,
        env.restoredInstance({ DBInstanceStatus: 'incompatible-restore' }),
      );
      return {};
    });
    await expect(run(env.clients, parseRestoreArgs(['prod', '--latest']))).rejects.toThrow(
      /went to status "incompatible-restore"; see its events/,
    );

    env = setup();
    env.mocks.cloudFormation
      .on(DescribeStacksCommand, { StackName: 'CloudTodo-prod-Stateful' })
      .resolves({
        Stacks: [
          { StackName: 'x', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [] },
        ],
      });
    await expect(run(env.clients, parseRestoreArgs(['prod', '--latest']))).rejects.toThrow(
      /CloudTodo-prod-Stateful has no output DatabaseInstanceId, .*deploy the current version first/,
    );
  });

  it('points the secret at the new endpoint if it differs, and fails when the api redeploy fails', async () => {
    env.mocks.secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        username: 'todo',
        password: 'p',
        host: 'stale.example',
        port: 5432,
      }),
    });
    env.mocks.ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          deployments: [
            {
              status: 'PRIMARY',
              rolloutState: 'FAILED',
              rolloutStateReason: 'tasks failed to start',
            },
          ],
        },
      ],
    });
    await expect(run(env.clients, parseRestoreArgs(['prod', '--latest']))).rejects.toThrow(
      /the api redeployment failed: tasks failed to start/,
    );
    const put = env.mocks.secrets.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    expect(JSON.parse(put.SecretString!)).toMatchObject({ host: ENDPOINT, password: 'p' });
  });
});

describe('restore switch failures (aws-sdk-client-mock)', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });
  const failureOf = (restore: Promise<unknown>) =>
    restore.then(
      () => expect.fail('the restore did not fail'),
      (error: unknown) => error as Error,
    );
  const renames = () =>
    env.mocks.rds
      .commandCalls(ModifyDBInstanceCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.NewDBInstanceIdentifier !== undefined)
      .map((input) => `${input.DBInstanceIdentifier}→${input.NewDBInstanceIdentifier}`);
  const rename = (from: string, to: string) =>
    `aws rds modify-db-instance --db-instance-identifier ${from} --new-db-instance-identifier ${to} --apply-immediately`;

  it('second rename refused: renames the old instance back, waits for it, and fails with the commands that switch by hand', async () => {
    env.refusedRenames.set(
      `${ids.restored}→${OLD}`,
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    );
    const lines: string[] = [];
    const error = await failureOf(run(env.clients, parseRestoreArgs(['prod', '--latest']), lines));
    expect(error).toBeInstanceOf(OperationError);
    expect(renames()).toEqual([
      `${OLD}→${ids.replaced}`,
      `${ids.restored}→${OLD}`,
      `${ids.replaced}→${OLD}`,
    ]);
    // The old instance is back under the stack's identifier (the wait checked it is that one).
    expect(env.instances.get(OLD)?.DbiResourceId).toBe('db-OLD');
    expect(env.instances.get(ids.restored)?.DbiResourceId).toBe('db-NEW');
    expect(lines.some((l) => l.includes(`rename back: ${OLD} is available`))).toBe(true);
    const message = error.message;
    expect(message).toContain(
      `renaming ${ids.restored} to ${OLD} failed (Rate exceeded). It was undone: the old instance was renamed back to ${OLD}`,
    );
    expect(message).toContain(`${OLD}: available, the old instance`);
    expect(message).toContain(`${ids.restored}: available, the restored instance`);
    expect(message).toContain(`${ids.replaced}: does not exist`);
    expect(message).toContain(
      `${OLD} is the old instance and the app uses it: nothing is switched`,
    );
    const commands = message.split('\n').filter((l) => l.startsWith('  aws '));
    expect(commands).toEqual([
      `  ${rename(OLD, ids.replaced)}`,
      `  aws rds wait db-instance-available --db-instance-identifier ${ids.replaced}`,
      `  ${rename(ids.restored, OLD)}`,
      `  aws rds wait db-instance-available --db-instance-identifier ${OLD}`,
      '  aws ecs update-service --cluster cluster-prod --service api-prod --force-new-deployment',
    ]);
    // Nothing after the switch ran.
    expect(env.mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(env.mocks.secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('second rename and the undo refused: says the app has no database, names both instances and both ways out', async () => {
    env.refusedRenames.set(`${ids.restored}→${OLD}`, new Error('Internal failure'));
    env.refusedRenames.set(`${ids.replaced}→${OLD}`, new Error('Service unavailable'));
    const error = await failureOf(run(env.clients, parseRestoreArgs(['prod', '--latest'])));
    expect(error).toBeInstanceOf(OperationError);
    expect(renames()).toEqual([
      `${OLD}→${ids.replaced}`,
      `${ids.restored}→${OLD}`,
      `${ids.replaced}→${OLD}`,
    ]);
    expect(env.instances.has(OLD)).toBe(false);
    const message = error.message;
    expect(message).toContain(
      `renaming ${ids.restored} to ${OLD} failed (Internal failure); renaming the old instance ${ids.replaced} back to ${OLD} failed too (Service unavailable)`,
    );
    expect(message).toContain(`THE APP HAS NO DATABASE: no instance is named ${OLD}.`);
    expect(message).toContain(`${OLD}: does not exist`);
    expect(message).toContain(`${ids.replaced}: available, the old instance`);
    expect(message).toContain(`${ids.restored}: available, the restored instance`);
    const commands = message.split('\n').filter((l) => l.startsWith('  aws '));
    expect(commands).toEqual([
      `  ${rename(ids.restored, OLD)}`,
      `  aws rds wait db-instance-available --db-instance-identifier ${OLD}`,
      '  aws ecs update-service --cluster cluster-prod --service api-prod --force-new-deployment',
      `  ${rename(ids.replaced, OLD)}`,
      `  aws rds wait db-instance-available --db-instance-identifier ${OLD}`,
    ]);
    expect(message).toMatch(/To finish the switch \(the restored data\):[\s\S]*or to undo it/);
    expect(env.mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('second rename refused but the identifier is taken: does not rename back, says so', async () => {
    // A refusal RDS had in fact carried out: the restored instance holds the identifier.
    env.mocks.rds
      .on(ModifyDBInstanceCommand, {
        DBInstanceIdentifier: ids.restored,
        NewDBInstanceIdentifier: OLD,
      })
      .callsFake(() => {
        const instance = env.instances.get(ids.restored)!;
        env.instances.delete(ids.restored);
        env.instances.set(OLD, { ...instance, DBInstanceIdentifier: OLD });
        throw new Error('socket hang up');
      });
    const error = await failureOf(run(env.clients, parseRestoreArgs(['prod', '--latest'])));
    expect(renames()).toEqual([`${OLD}→${ids.replaced}`, `${ids.restored}→${OLD}`]);
    expect(error.message).toContain(`the old instance was not renamed back, as ${OLD} exists`);
    expect(error.message).toContain(`${OLD} is the restored instance: the switch went through`);
  });
});

describe('restore when the stack’s instance was deleted (aws-sdk-client-mock)', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
    env.instances.delete(OLD);
  });
  const retained = {
    DBInstanceIdentifier: OLD,
    DbiResourceId: 'db-GONE',
    Status: 'retained',
    RestoreWindow: {
      EarliestTime: new Date(START - 35 * 86_400_000),
      LatestTime: new Date(START - 3600_000),
    },
  };

  it('--latest: restores its retained automated backups straight into the stack’s identifier, no switch', async () => {
    env.mocks.rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
      DBInstanceAutomatedBackups: [
        {
          ...retained,
          DbiResourceId: 'db-OLDER',
          RestoreWindow: { LatestTime: new Date(START - 90 * 86_400_000) },
        },
        retained,
      ],
    });
    const lines: string[] = [];
    const report = await run(env.clients, parseRestoreArgs(['prod', '--latest']), lines);
    const restore = env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0]!.args[0]
      .input;
    expect(restore).toMatchObject({
      SourceDbiResourceId: 'db-GONE',
      TargetDBInstanceIdentifier: OLD,
      UseLatestRestorableTime: true,
      MaxAllocatedStorage: 200,
      BackupRetentionPeriod: 35,
    });
    expect(restore.SourceDBInstanceIdentifier).toBeUndefined();
    const modifies = env.mocks.rds
      .commandCalls(ModifyDBInstanceCommand)
      .map((c) => c.args[0].input);
    expect(modifies).toHaveLength(1);
    expect(modifies[0]).toMatchObject({
      DBInstanceIdentifier: OLD,
      MasterUserPassword: 'current-password',
    });
    expect(modifies[0]!.NewDBInstanceIdentifier).toBeUndefined();
    expect(env.mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(report.replacedInstanceId).toBeUndefined();
    expect(report.phases.map((p) => p.name)).toEqual([
      'restore',
      'password and settings',
      'api redeploy',
    ]);
    expect(lines.join('\n')).toContain(`${OLD} does not exist: restoring straight into ${OLD}`);
    expect(restoreSummary(report, PROFILES.prod).join('\n')).toContain('nothing was replaced');
  });

  it('--to: checks the time against the retained backups’ window', async () => {
    env.mocks.rds
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolves({ DBInstanceAutomatedBackups: [retained] });
    await expect(
      run(env.clients, parseRestoreArgs(['prod', '--to', '2026-05-01T09:30:00Z'])),
    ).rejects.toThrow(/after the latest restorable time 2026-05-01T09:00:00.000Z/);
    await run(env.clients, parseRestoreArgs(['prod', '--to', '2026-05-01T08:30:00Z']));
    expect(
      env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0]!.args[0].input,
    ).toMatchObject({
      SourceDbiResourceId: 'db-GONE',
      TargetDBInstanceIdentifier: OLD,
      RestoreTime: new Date('2026-05-01T08:30:00Z'),
    });
  });

  it('a point in time without retained automated backups: fails before restoring and names the recovery-point way', async () => {
    await expect(run(env.clients, parseRestoreArgs(['prod', '--latest']))).rejects.toThrow(
      new RegExp(
        `${OLD} does not exist and has no retained automated backups.*--backup-vault-name vault-prod, then npm run restore -w infra -- prod --recovery-point <arn>`,
      ),
    );
    expect(env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
  });

  it('--recovery-point: restores straight into the stack’s identifier', async () => {
    env.mocks.backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: {} });
    env.mocks.backup
      .on(StartRestoreJobCommand)
      .callsFake((input: { Metadata: Record<string, string> }) => {
        const id = input.Metadata.DBInstanceIdentifier!;
        env.instances.set(id, { ...env.restoredInstance(), DBInstanceIdentifier: id });
        return { RestoreJobId: 'job-3' };
      });
    env.mocks.backup.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED' });
    const arn = 'arn:aws:backup:us-east-1:123456789012:recovery-point:rp-3';
    const report = await run(env.clients, parseRestoreArgs(['prod', '--recovery-point', arn]));
    expect(
      env.mocks.backup.commandCalls(StartRestoreJobCommand)[0]!.args[0].input.Metadata,
    ).toMatchObject({ DBInstanceIdentifier: OLD });
    expect(
      env.mocks.rds
        .commandCalls(ModifyDBInstanceCommand)
        .filter((c) => c.args[0].input.NewDBInstanceIdentifier !== undefined),
    ).toHaveLength(0);
    expect(report).toMatchObject({ instanceId: OLD });
  });

  it('refuses while an earlier restore’s instance waits to be switched in, with the commands', async () => {
    const earlier = restoreIdentifiers('prod', new Date(START - 86_400_000));
    env.instances.set(
      earlier.restored,
      env.restoredInstance({ DBInstanceIdentifier: earlier.restored }),
    );
    env.instances.set(earlier.replaced, {
      DBInstanceIdentifier: earlier.replaced,
      DbiResourceId: 'db-OLD',
    });
    const failure = run(env.clients, parseRestoreArgs(['prod', '--latest']));
    await expect(failure).rejects.toThrow(
      `the stack's database ${OLD} does not exist, but ${earlier.restored} does`,
    );
    await expect(failure).rejects.toThrow(
      `aws rds modify-db-instance --db-instance-identifier ${earlier.restored} --new-db-instance-identifier ${OLD} --apply-immediately`,
    );
    await expect(failure).rejects.toThrow(
      `aws rds modify-db-instance --db-instance-identifier ${earlier.replaced} --new-db-instance-identifier ${OLD} --apply-immediately`,
    );
    expect(env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
  });

  it('refuses while the instance is being deleted', async () => {
    env.instances.set(OLD, { DBInstanceIdentifier: OLD, DBInstanceStatus: 'deleting' });
    await expect(run(env.clients, parseRestoreArgs(['prod', '--latest']))).rejects.toThrow(
      `${OLD} is being deleted; wait until it is gone (aws rds wait db-instance-deleted`,
    );
    expect(env.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
  });
});
