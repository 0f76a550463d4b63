import { BackupClient } from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RebootDBInstanceCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../src/ops/operation-error.ts';
import { restoreIdentifiers, runRestore, type RestoreOptions } from '../../src/ops/restore.ts';

/**
 * The AWS the restore tests run against: mocked SDK clients (aws-sdk-client-mock) over a small
 * model of the account's instances, which the restores, renames and restore jobs change, and
 * the deployed stacks' outputs. Shared by restore.test.ts and restore-docs.test.ts.
 */

export const REGION = 'us-east-1';
export const START = Date.parse('2026-05-01T10:00:00Z');
export const ids = restoreIdentifiers('prod', new Date(START));
export const KEY = 'arn:aws:kms:us-east-1:123456789012:key/db-key';
export const OLD = 'cloudtodo-prod-stateful-databaseinstance-abc';
export const STATEFUL = {
  DatabaseInstanceId: OLD,
  DatabaseParameterGroupName: 'cloudtodo-prod-params',
  DatabaseSubnetGroupName: 'cloudtodo-prod-subnets',
  DatabaseSecurityGroupId: 'sg-db',
  DatabaseKeyArn: KEY,
  DatabaseSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db',
  BackupVaultName: 'vault-prod',
  BackupRestoreRoleArn: 'arn:aws:iam::123456789012:role/restore',
};
export const ENDPOINT = `${OLD}.c0ffee.us-east-1.rds.amazonaws.com`;

export function fakeClock(): Clock {
  let now = START;
  return { now: () => now, sleep: (ms) => ((now += Math.max(ms, 1000)), Promise.resolve()) };
}

export function setup() {
  const clients = {
    rds: new RDSClient({ region: REGION }),
    backup: new BackupClient({ region: REGION }),
    secrets: new SecretsManagerClient({ region: REGION }),
    ecs: new ECSClient({ region: REGION }),
    cloudFormation: new CloudFormationClient({ region: REGION }),
  };
  const mocks = {
    rds: mockClient(clients.rds),
    backup: mockClient(clients.backup),
    secrets: mockClient(clients.secrets),
    ecs: mockClient(clients.ecs),
    cloudFormation: mockClient(clients.cloudFormation),
  };
  const outputs = (values: Record<string, string>) => ({
    Stacks: [
      {
        StackName: 'x',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE' as const,
        Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({
          OutputKey,
          OutputValue,
        })),
      },
    ],
  });
  mocks.cloudFormation
    .on(DescribeStacksCommand, { StackName: 'CloudTodo-prod-Stateful' })
    .resolves(outputs(STATEFUL))
    .on(DescribeStacksCommand, { StackName: 'CloudTodo-prod-Services' })
    .resolves(outputs({ ClusterName: 'cluster-prod', ApiServiceName: 'api-prod' }));

  // The instances as RDS would describe them: the old one, then the restored one appearing,
  // being renamed into place.
  const instances = new Map<string, DBInstance>([
    [
      OLD,
      {
        DBInstanceIdentifier: OLD,
        DBInstanceStatus: 'available',
        DbiResourceId: 'db-OLD',
        BackupRetentionPeriod: 35,
        LatestRestorableTime: new Date(START - 5 * 60_000),
        KmsKeyId: KEY,
        Endpoint: { Address: ENDPOINT },
      },
    ],
  ]);
  const restoredInstance = (overrides: Partial<DBInstance> = {}): DBInstance => ({
    DBInstanceIdentifier: ids.restored,
    DBInstanceStatus: 'available',
    DbiResourceId: 'db-NEW',
    KmsKeyId: KEY,
    DBParameterGroups: [
      {
        DBParameterGroupName: STATEFUL.DatabaseParameterGroupName,
        ParameterApplyStatus: 'in-sync',
      },
    ],
    Endpoint: { Address: `${ids.restored}.c0ffee.us-east-1.rds.amazonaws.com` },
    ...overrides,
  });
  mocks.rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier?: string }) => {
    if (input.DBInstanceIdentifier === undefined) return { DBInstances: [...instances.values()] };
    const found = instances.get(input.DBInstanceIdentifier);
    if (!found) {
      const error = new Error(`DBInstance ${input.DBInstanceIdentifier} not found`);
      error.name = 'DBInstanceNotFoundFault';
      throw error;
    }
    return { DBInstances: [found] };
  });
  mocks.rds
    .on(RestoreDBInstanceToPointInTimeCommand)
    .callsFake((input: { TargetDBInstanceIdentifier: string }) => {
      const target = input.TargetDBInstanceIdentifier;
      instances.set(target, { ...restoredInstance(), DBInstanceIdentifier: target });
      return {};
    });
  // No automated backups outlive an instance unless a test says so.
  mocks.rds
    .on(DescribeDBInstanceAutomatedBackupsCommand)
    .resolves({ DBInstanceAutomatedBackups: [] });
  // Renames RDS refuses, as `from→to`: the error it answers with.
  const refusedRenames = new Map<string, Error>();
  mocks.rds
    .on(ModifyDBInstanceCommand)
    .callsFake((input: { DBInstanceIdentifier: string; NewDBInstanceIdentifier?: string }) => {
      const target = input.NewDBInstanceIdentifier;
      const refusal = refusedRenames.get(`${input.DBInstanceIdentifier}→${target}`);
      if (refusal) throw refusal;
      if (target) {
        const instance = instances.get(input.DBInstanceIdentifier)!;
        instances.delete(input.DBInstanceIdentifier);
        instances.set(target, {
          ...instance,
          DBInstanceIdentifier: target,
          Endpoint: { Address: `${target}.c0ffee.us-east-1.rds.amazonaws.com` },
        });
      }
      return {};
    });
  mocks.rds.on(RebootDBInstanceCommand).resolves({});
  mocks.secrets.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({
      username: 'todo',
      password: 'current-password',
      host: ENDPOINT,
      port: 5432,
      dbname: 'todo',
    }),
  });
  mocks.secrets.on(PutSecretValueCommand).resolves({});
  mocks.ecs.on(UpdateServiceCommand).resolves({});
  mocks.ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        deployments: [
          { status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 3, desiredCount: 3 },
        ],
      },
    ],
  });
  return { clients, mocks, instances, restoredInstance, refusedRenames };
}

export const run = (
  clients: ReturnType<typeof setup>['clients'],
  options: RestoreOptions,
  lines: string[] = [],
) =>
  runRestore({
    options,
    clients,
    clock: fakeClock(),
    log: (l) => lines.push(l),
    pollIntervalMs: 1000,
  });
