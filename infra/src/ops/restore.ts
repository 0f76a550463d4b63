import type { BackupClient } from '@aws-sdk/client-backup';
import {
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { RDSClient } from '@aws-sdk/client-rds';
import {
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RebootDBInstanceCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type DBInstanceAutomatedBackup,
} from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DATABASE_SETTINGS } from '../database-settings.ts';
import { isProfileName, PROFILES, type Profile, type ProfileName } from '../profile.ts';
import { SERVICE_OUTPUTS, STATEFUL_OUTPUTS, stackNames } from '../stack-outputs.ts';
import { formatDuration, OperationError, pollUntil, type Clock } from './operation-error.ts';
import { readStackOutputs } from './stack-outputs-reader.ts';

/**
 * `npm run restore -w infra -- <profile> (--to <ISO time> | --latest | --recovery-point <arn>)`
 *
 * Restores the database into a new instance with the settings the stack gives it, then puts
 * that instance in the old one's place **by name**: the old instance is renamed aside and the
 * restored one takes its identifier. An RDS endpoint is the identifier plus a fixed per-account
 * suffix, so the stack (whose resource is the identifier), its alarms, dashboard, backup
 * selection and event subscription, and the secret's `host` all refer to the restored instance
 * without a template change; the api is redeployed so no pooled connection stays on the old
 * one. docs/backup.md explains the choice and the manual fallback.
 */

export const RESTORE_USAGE =
  'usage: npm run restore -w infra -- <dev|course|prod> (--to <ISO time> | --latest | --recovery-point <arn>) [--dry-run]';

export type RestoreSource =
  | { readonly kind: 'point-in-time'; readonly time: Date }
  | { readonly kind: 'latest' }
  | { readonly kind: 'recovery-point'; readonly arn: string };

export interface RestoreOptions {
  readonly profileName: ProfileName;
  readonly source: RestoreSource;
  readonly dryRun: boolean;
}

/** The PostgreSQL logs the stack exports to CloudWatch (src/constructs/database.ts). */
export const DATABASE_LOG_EXPORTS = [...DATABASE_SETTINGS.logExports];

/** Parses the command line; throws an OperationError that includes the usage. */
export function parseRestoreArgs(argv: readonly string[]): RestoreOptions {
  const fail = (message: string): never => {
    throw new OperationError(`${message}\n${RESTORE_USAGE}`);
  };
  const [profileName, ...rest] = argv;
  if (!profileName || profileName.startsWith('--')) fail('name the profile first');
  if (!isProfileName(profileName!)) {
    fail(`unknown profile "${profileName}" (${Object.keys(PROFILES).join(', ')})`);
  }
  let source: RestoreSource | undefined;
  let dryRun = false;
  const setSource = (next: RestoreSource) => {
    if (source) fail('give exactly one of --to, --latest, --recovery-point');
    source = next;
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--latest') setSource({ kind: 'latest' });
    else if (arg === '--to') {
      const value = rest[++i];
      // An explicit offset or Z: a restore time must never depend on the operator's time zone.
      if (!value || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
        fail(
          `--to needs an ISO 8601 time with a zone, e.g. 2026-05-01T09:30:00Z (got "${value ?? ''}")`,
        );
      }
      const time = new Date(value!);
      if (Number.isNaN(time.getTime())) fail(`--to: "${value}" is not a valid time`);
      setSource({ kind: 'point-in-time', time });
    } else if (arg === '--recovery-point') {
      const value = rest[++i];
      if (!value || !/^arn:aws[a-z-]*:(backup|rds):[a-z0-9-]+:\d{12}:.+/.test(value)) {
        fail(`--recovery-point needs a recovery point ARN (got "${value ?? ''}")`);
      }
      setSource({ kind: 'recovery-point', arn: value! });
    } else fail(`unknown argument "${arg}"`);
  }
  if (!source) fail('say what to restore: --to <time>, --latest or --recovery-point <arn>');
  return { profileName: profileName as ProfileName, source: source!, dryRun };
}

/** The identifiers a restore started at `startedAt` uses (RDS: letters, digits, hyphens, ≤ 63). */
export function restoreIdentifiers(profileName: string, startedAt: Date) {
  const stamp = startedAt.toISOString().replace(/[-:T]/g, '').slice(0, 12); // yyyymmddhhmm, UTC
  return {
    restored: `cloudtodo-${profileName}-restored-${stamp}`,
    replaced: `cloudtodo-${profileName}-replaced-${stamp}`,
  };
}

const STATEFUL_KEYS = [
  STATEFUL_OUTPUTS.databaseInstanceId,
  STATEFUL_OUTPUTS.databaseParameterGroup,
  STATEFUL_OUTPUTS.databaseSubnetGroup,
  STATEFUL_OUTPUTS.databaseSecurityGroup,
  STATEFUL_OUTPUTS.databaseKeyArn,
  STATEFUL_OUTPUTS.databaseSecretArn,
  STATEFUL_OUTPUTS.backupVaultName,
  STATEFUL_OUTPUTS.backupRestoreRoleArn,
] as const;
const SERVICE_KEYS = [SERVICE_OUTPUTS.clusterName, SERVICE_OUTPUTS.apiServiceName] as const;

type StatefulValues = Record<(typeof STATEFUL_KEYS)[number], string>;
type ServiceValues = Record<(typeof SERVICE_KEYS)[number], string>;

/** What the restored instance must look like: the stack's settings, from the profile. */
export function targetSettings(profile: Profile) {
  return {
    instanceClass: `db.${profile.database.instanceType}`,
    multiAz: profile.database.multiAz,
    deletionProtection: profile.database.deletionProtection,
    storageType: 'gp3',
    maxAllocatedStorageGiB: profile.database.maxAllocatedStorageGiB,
    backupRetentionDays: profile.database.backupRetentionDays,
  };
}

/**
 * The plan, step by step. With `values` (read from the stacks) it names the real resources;
 * without (a dry run, no AWS call) it names the stack output each value comes from.
 */
export function restorePlan(
  options: RestoreOptions,
  identifiers: { restored: string; replaced: string },
  values?: { stateful: StatefulValues; services: ServiceValues },
): string[] {
  const profile = PROFILES[options.profileName];
  const stacks = stackNames(profile.name);
  const s = (key: keyof StatefulValues) => values?.stateful[key] ?? `‹${stacks.stateful}.${key}›`;
  const v = (key: keyof ServiceValues) => values?.services[key] ?? `‹${stacks.services}.${key}›`;
  const t = targetSettings(profile);
  const db = s('DatabaseInstanceId');
  const source = options.source;
  const what =
    source.kind === 'recovery-point'
      ? `AWS Backup restore job of ${source.arn} (vault ${s('BackupVaultName')}, role ${s('BackupRestoreRoleArn')})`
      : `point-in-time restore of ${db} to ${source.kind === 'latest' ? 'its latest restorable time' : source.time.toISOString()}`;
  return [
    `Restore plan for profile ${profile.name} (${profile.region}):`,
    `1. Read the outputs of ${stacks.stateful} (${STATEFUL_KEYS.join(', ')}) and ${stacks.services} (${SERVICE_KEYS.join(', ')}).`,
    `2. Start a ${what} into a new instance ${identifiers.restored}:`,
    `   class ${t.instanceClass}, Multi-AZ ${t.multiAz ? 'on' : 'off'}, deletion protection ${t.deletionProtection ? 'on' : 'off'}, ` +
      `parameter group ${s('DatabaseParameterGroupName')}, subnet group ${s('DatabaseSubnetGroupName')}, security group ${s('DatabaseSecurityGroupId')}, ` +
      `storage ${t.storageType} up to ${t.maxAllocatedStorageGiB} GiB, backups kept ${t.backupRetentionDays} days, log exports ${DATABASE_LOG_EXPORTS.join(', ')}, not public.`,
    `   Encrypted with ${s('DatabaseKeyArn')} (inherited from the source; checked after the restore).`,
    `3. Wait until ${identifiers.restored} is available, printing its status.`,
    `4. Set its master password to the current one of ${s('DatabaseSecretArn')} (the restored one is that of the restore time), correct any setting that differs from step 2, wait.`,
    `5. Switch: rename ${db} to ${identifiers.replaced}, then ${identifiers.restored} to ${db}. The database is unreachable between the two renames; the stack, its alarms, dashboard, backup selection, RDS event subscription and the secret's host then refer to the restored instance. If the second rename fails, rename ${identifiers.replaced} back to ${db} and stop, printing what each identifier holds and the commands that finish or undo the switch.`,
    `6. Check that the secret's host is the endpoint of ${db} (correct it if not).`,
    `7. Redeploy the api (${v('ClusterName')}/${v('ApiServiceName')}, force new deployment) so that no pooled connection stays on the old instance; wait until the rollout completes.`,
    `8. Keep ${identifiers.replaced} (deletion protection as before) for inspection, and print how to delete it.`,
    `If ${db} does not exist (deleted), step 2 restores straight into ${db} (a point in time from its retained automated backups, or the recovery point) and steps 5 and 8 are skipped.`,
  ];
}

/**
 * The plan of a dry run: with the real names when the stacks' outputs can be read (only
 * DescribeStacks is called), else with the output each name comes from and the reason.
 */
export async function dryRunPlan(
  options: RestoreOptions,
  cloudFormation: CloudFormationClient,
  now: Date,
): Promise<string[]> {
  const stacks = stackNames(options.profileName);
  const identifiers = restoreIdentifiers(options.profileName, now);
  try {
    const stateful = await readStackOutputs(cloudFormation, stacks.stateful, STATEFUL_KEYS);
    const services = await readStackOutputs(cloudFormation, stacks.services, SERVICE_KEYS);
    return [
      ...restorePlan(options, identifiers, { stateful, services }),
      '(dry run: only the stack outputs were read)',
    ];
  } catch (error) {
    return [
      ...restorePlan(options, identifiers),
      `(dry run: nothing was called beyond reading the stack outputs, which failed: ${(error as Error).message.split('\n')[0]}. A value in ‹ › is read from that stack output at run time.)`,
    ];
  }
}

export interface RestoreClients {
  readonly rds: RDSClient;
  readonly backup: BackupClient;
  readonly secrets: SecretsManagerClient;
  readonly ecs: ECSClient;
  readonly cloudFormation: CloudFormationClient;
}

export interface RestoreRun {
  readonly options: RestoreOptions;
  readonly clients: RestoreClients;
  readonly clock: Clock;
  /** One line of progress output. */
  readonly log: (line: string) => void;
  /** Between two status polls; 30 s by default. */
  readonly pollIntervalMs?: number;
}

export interface RestoreReport {
  readonly instanceId: string;
  /** The old instance, renamed aside; absent when the restore went straight into a deleted one's identifier. */
  readonly replacedInstanceId?: string;
  readonly phases: readonly { readonly name: string; readonly ms: number }[];
}

const FAILED_STATES = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'storage-full',
  'inaccessible-encryption-credentials',
]);

async function describeInstance(rds: RDSClient, id: string): Promise<DBInstance | undefined> {
  try {
    const answer = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return answer.DBInstances?.[0];
  } catch (error) {
    if ((error as Error).name === 'DBInstanceNotFoundFault') return undefined;
    throw error;
  }
}

/** The instance, `undefined` when it does not exist, or the error that kept it from being read. */
async function tryDescribe(rds: RDSClient, id: string): Promise<DBInstance | undefined | Error> {
  try {
    return await describeInstance(rds, id);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Every instance identifier of the account and region. */
async function listInstanceIds(rds: RDSClient): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBInstancesCommand({ Marker: marker }));
    for (const d of page.DBInstances ?? [])
      if (d.DBInstanceIdentifier) ids.push(d.DBInstanceIdentifier);
    marker = page.Marker;
  } while (marker);
  return ids;
}

/** The newest retained automated backup of a deleted instance, if any. */
async function retainedAutomatedBackup(
  rds: RDSClient,
  id: string,
): Promise<DBInstanceAutomatedBackup | undefined> {
  let backups: DBInstanceAutomatedBackup[];
  try {
    const answer = await rds.send(
      new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: id }),
    );
    backups = answer.DBInstanceAutomatedBackups ?? [];
  } catch (error) {
    if ((error as Error).name === 'DBInstanceAutomatedBackupNotFoundFault') return undefined;
    throw error;
  }
  const latest = (b: DBInstanceAutomatedBackup) => b.RestoreWindow?.LatestTime?.getTime() ?? 0;
  return backups.filter((b) => b.Status === 'retained').sort((a, b) => latest(b) - latest(a))[0];
}

const renameCommand = (from: string, to: string) =>
  `aws rds modify-db-instance --db-instance-identifier ${from} --new-db-instance-identifier ${to} --apply-immediately`;
const waitCommand = (id: string) =>
  `aws rds wait db-instance-available --db-instance-identifier ${id}`;
const redeployCommand = (services: ServiceValues) =>
  `aws ecs update-service --cluster ${services.ClusterName} --service ${services.ApiServiceName} --force-new-deployment`;

type WaitAvailable = (
  id: string,
  what: string,
  timeoutMs: number,
  extra?: (d: DBInstance) => boolean,
) => Promise<DBInstance>;

interface Switch {
  readonly rds: RDSClient;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly waitAvailable: WaitAvailable;
  /** The stack's identifier, the old instance's name aside, the restored instance's name. */
  readonly source: string;
  readonly replaced: string;
  readonly restored: string;
  readonly oldResourceId: string | undefined;
  readonly newResourceId: string | undefined;
  readonly services: ServiceValues;
}

const reason = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * Step 5: the old instance aside, the restored one into its identifier. Between the two renames
 * no instance has the stack's identifier. If the second rename is refused, the old instance is
 * renamed back (when nothing else can be taking the identifier). Any failure throws an
 * OperationError that says what each identifier holds now and the commands that finish or undo
 * the switch by hand.
 */
async function switchByName(s: Switch): Promise<DBInstance> {
  const { rds, source, replaced, restored } = s;
  const rename = (from: string, to: string) =>
    rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: from,
        NewDBInstanceIdentifier: to,
        ApplyImmediately: true,
      }),
    );
  const fail = async (what: string): Promise<never> => {
    throw new OperationError(await switchFailure(s, what));
  };

  try {
    await rename(source, replaced);
  } catch (error) {
    return fail(`renaming ${source} to ${replaced} failed (${reason(error)}).`);
  }
  const downSince = s.clock.now();
  try {
    await s.waitAvailable(replaced, 'rename aside', 3600_000);
  } catch (error) {
    return fail(
      `renaming ${source} to ${replaced} was accepted but did not complete (${reason(error)}).`,
    );
  }

  let refused: unknown;
  try {
    await rename(restored, source);
  } catch (error) {
    refused = error;
  }
  if (refused === undefined) {
    try {
      return await s.waitAvailable(
        source,
        'rename into place',
        3600_000,
        (d) => d.DbiResourceId === s.newResourceId,
      );
    } catch (error) {
      return fail(
        `renaming ${restored} to ${source} was accepted but did not complete (${reason(error)}); the old instance was not renamed back, as that rename may still finish.`,
      );
    }
  }

  // The first rename went through, the second did not: the app has no database. Undo, unless
  // something may be taking the identifier (a refusal that RDS had in fact carried out).
  const second = `renaming ${restored} to ${source} failed (${reason(refused)})`;
  const [atSource, restoredNow] = await Promise.all([
    tryDescribe(rds, source),
    tryDescribe(rds, restored),
  ]);
  if (
    atSource !== undefined ||
    restoredNow instanceof Error ||
    restoredNow?.DBInstanceStatus !== 'available'
  ) {
    const why =
      atSource instanceof Error || restoredNow instanceof Error
        ? 'the instances could not be read'
        : atSource !== undefined
          ? `${source} exists`
          : `${restored} is ${restoredNow?.DBInstanceStatus ?? 'not there'}, not available`;
    return fail(`${second}; the old instance was not renamed back, as ${why}.`);
  }
  s.log(`   ${second}; renaming the old instance ${replaced} back to ${source}`);
  try {
    await rename(replaced, source);
    await s.waitAvailable(
      source,
      'rename back',
      3600_000,
      (d) => s.oldResourceId === undefined || d.DbiResourceId === s.oldResourceId,
    );
  } catch (error) {
    return fail(
      `${second}; renaming the old instance ${replaced} back to ${source} failed too (${reason(error)}).`,
    );
  }
  return fail(
    `${second}. It was undone: the old instance was renamed back to ${source} (the app had no database for ${formatDuration(s.clock.now() - downSince)}).`,
  );
}

/** The message of a failed switch: what failed, what each identifier holds now, what to run. */
async function switchFailure(s: Switch, what: string): Promise<string> {
  const { source, replaced, restored } = s;
  const ids = [source, replaced, restored];
  const found = await Promise.all(ids.map((id) => tryDescribe(s.rds, id)));
  const role = (d: DBInstance) =>
    d.DbiResourceId === s.newResourceId
      ? 'the restored instance'
      : d.DbiResourceId === s.oldResourceId
        ? 'the old instance (the data from before the restore)'
        : `an instance this restore did not make (${d.DbiResourceId ?? '?'})`;
  const state = ids.map((id, i) => {
    const d = found[i];
    if (d instanceof Error) return `  ${id}: unknown (${reason(d)})`;
    return `  ${id}: ${d ? `${d.DBInstanceStatus ?? '?'}, ${role(d)}` : 'does not exist'}`;
  });
  const at = (resource: string | undefined) =>
    ids.find((_, i) => {
      const d = found[i];
      return d !== undefined && !(d instanceof Error) && d.DbiResourceId === resource;
    });
  const oldAt = at(s.oldResourceId) ?? replaced;
  const newAt = at(s.newResourceId) ?? restored;
  const holder = found[0];
  const finish = [
    'To finish the switch (the restored data):',
    `  ${renameCommand(newAt, source)}`,
    `  ${waitCommand(source)}`,
    `  ${redeployCommand(s.services)}`,
  ];
  const undo = [
    'or to undo it (the data from before the restore):',
    `  ${renameCommand(oldAt, source)}`,
    `  ${waitCommand(source)}`,
  ];
  let situation: string[];
  if (holder instanceof Error) {
    situation = [
      `The state of ${source} could not be read; check it first: aws rds describe-db-instances --query 'DBInstances[].[DBInstanceIdentifier,DBInstanceStatus,DbiResourceId]' --output text`,
      ...finish,
      ...undo,
    ];
  } else if (holder === undefined) {
    situation = [`THE APP HAS NO DATABASE: no instance is named ${source}.`, ...finish, ...undo];
  } else if (holder.DbiResourceId === s.newResourceId) {
    situation = [
      `${source} is the restored instance: the switch went through. Finish by hand:`,
      `  ${waitCommand(source)}`,
      `  ${redeployCommand(s.services)}`,
    ];
  } else {
    situation = [
      `${source} is the old instance and the app uses it: nothing is switched. ${newAt} is the restored instance. To switch by hand once the cause is fixed:`,
      `  ${renameCommand(source, replaced)}`,
      `  ${waitCommand(replaced)}`,
      `  ${renameCommand(newAt, source)}`,
      `  ${waitCommand(source)}`,
      `  ${redeployCommand(s.services)}`,
    ];
  }
  const renaming = found.some(
    (d) => d && !(d instanceof Error) && d.DBInstanceStatus === 'renaming',
  );
  return [
    `the switch failed: ${what}`,
    'Now:',
    ...state,
    ...(renaming
      ? [
          'An instance is still "renaming": wait until it is available, then read the state again: aws rds describe-db-instances --query \'DBInstances[].[DBInstanceIdentifier,DBInstanceStatus]\' --output text',
        ]
      : []),
    ...situation,
  ].join('\n');
}

/** Restores, switches and redeploys as the plan says; throws an OperationError on any failure. */
export async function runRestore(run: RestoreRun): Promise<RestoreReport> {
  const { options, clients, clock, log } = run;
  const profile = PROFILES[options.profileName];
  const stacks = stackNames(profile.name);
  const intervalMs = run.pollIntervalMs ?? 30_000;
  const started = clock.now();
  const identifiers = restoreIdentifiers(profile.name, new Date(started));
  const phases: { name: string; ms: number }[] = [];
  let phaseStart = started;
  const endPhase = (name: string) => {
    const now = clock.now();
    phases.push({ name, ms: now - phaseStart });
    log(`   ${name}: ${formatDuration(now - phaseStart)}`);
    phaseStart = now;
  };
  const waitAvailable = (
    id: string,
    what: string,
    timeoutMs: number,
    extra?: (d: DBInstance) => boolean,
  ) =>
    pollUntil(
      `${id} to be available`,
      async () => {
        const d = await describeInstance(clients.rds, id);
        const status = d?.DBInstanceStatus ?? 'not visible yet';
        log(`   ${what}: ${id} is ${status} (${formatDuration(clock.now() - phaseStart)})`);
        if (d && FAILED_STATES.has(status)) {
          throw new OperationError(
            `${id} went to status "${status}"; see its events: aws rds describe-events --source-type db-instance --source-identifier ${id}`,
          );
        }
        return d && status === 'available' && (extra?.(d) ?? true) ? d : undefined;
      },
      { clock, intervalMs, timeoutMs },
    );

  const stateful = await readStackOutputs(clients.cloudFormation, stacks.stateful, STATEFUL_KEYS);
  const services = await readStackOutputs(clients.cloudFormation, stacks.services, SERVICE_KEYS);
  for (const line of restorePlan(options, identifiers, { stateful, services })) log(line);
  const sourceId = stateful.DatabaseInstanceId;
  const t = targetSettings(profile);

  const current = await describeInstance(clients.rds, sourceId);
  // The stack's instance is gone (deleted: the disaster itself). Nothing holds its identifier,
  // so the restore goes straight into it and there is nothing to switch.
  const inPlace = current === undefined;
  const target = inPlace ? sourceId : identifiers.restored;
  if (current?.DBInstanceStatus === 'deleting') {
    throw new OperationError(
      `the stack's database ${sourceId} is being deleted; wait until it is gone (aws rds wait db-instance-deleted --db-instance-identifier ${sourceId}) and run the restore again: it then restores straight into ${sourceId}`,
    );
  }
  if (inPlace) {
    // An earlier restore that did not finish its switch leaves its restored instance and no
    // instance under the stack's identifier: finishing that is quicker and keeps its data.
    const leftovers = (await listInstanceIds(clients.rds)).filter((id) =>
      id.startsWith(`cloudtodo-${profile.name}-restored-`),
    );
    if (leftovers.length > 0) {
      const replaced = (id: string) => id.replace('-restored-', '-replaced-');
      throw new OperationError(
        [
          `the stack's database ${sourceId} does not exist, but ${leftovers.join(', ')} does: an earlier restore did not finish its switch (or is still running). Finish it rather than restoring again:`,
          ...leftovers.flatMap((id) => [
            `  to put ${id} in place: ${renameCommand(id, sourceId)}`,
            `  or to put its replaced instance back (if ${replaced(id)} exists): ${renameCommand(replaced(id), sourceId)}`,
          ]),
          `  then: aws rds wait db-instance-available --db-instance-identifier ${sourceId}; ${redeployCommand(services)}`,
          `Or delete ${leftovers.join(', ')} and run the restore again.`,
        ].join('\n'),
      );
    }
    log(
      `   ${sourceId} does not exist: restoring straight into ${sourceId}, nothing to switch (steps 5 and 8 skipped)`,
    );
  } else if (await describeInstance(clients.rds, identifiers.restored)) {
    throw new OperationError(
      `${identifiers.restored} exists already: a restore started this minute is still running`,
    );
  }

  // 2. Start the restore.
  const source = options.source;
  if (source.kind === 'recovery-point') {
    let metadata: Record<string, string>;
    try {
      const answer = await clients.backup.send(
        new GetRecoveryPointRestoreMetadataCommand({
          BackupVaultName: stateful.BackupVaultName,
          RecoveryPointArn: source.arn,
        }),
      );
      metadata = { ...answer.RestoreMetadata };
    } catch (error) {
      throw new OperationError(
        `the recovery point ${source.arn} is not in the vault ${stateful.BackupVaultName}: ${(error as Error).message}. List them: aws backup list-recovery-points-by-backup-vault --backup-vault-name ${stateful.BackupVaultName}`,
      );
    }
    const job = await clients.backup.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: source.arn,
        IamRoleArn: stateful.BackupRestoreRoleArn,
        ResourceType: 'RDS',
        Metadata: {
          ...metadata,
          DBInstanceIdentifier: target,
          DBInstanceClass: t.instanceClass,
          DBSubnetGroupName: stateful.DatabaseSubnetGroupName,
          VpcSecurityGroupIds: JSON.stringify([stateful.DatabaseSecurityGroupId]),
          DBParameterGroupName: stateful.DatabaseParameterGroupName,
          MultiAZ: String(t.multiAz),
          DeletionProtection: String(t.deletionProtection),
          PubliclyAccessible: 'false',
          CopyTagsToSnapshot: 'true',
          StorageType: t.storageType,
        },
      }),
    );
    const jobId = job.RestoreJobId;
    if (!jobId) throw new OperationError('AWS Backup did not return a restore job id');
    log(`   AWS Backup restore job ${jobId} started`);
    await pollUntil(
      `restore job ${jobId}`,
      async () => {
        const state = await clients.backup.send(
          new DescribeRestoreJobCommand({ RestoreJobId: jobId }),
        );
        log(
          `   restore job ${jobId}: ${state.Status ?? '?'} ${state.PercentDone ?? ''} (${formatDuration(clock.now() - phaseStart)})`,
        );
        if (state.Status === 'FAILED' || state.Status === 'ABORTED') {
          throw new OperationError(
            `the restore job ${jobId} ended ${state.Status}: ${state.StatusMessage ?? 'no message'}`,
          );
        }
        return state.Status === 'COMPLETED' ? state : undefined;
      },
      { clock, intervalMs, timeoutMs: 4 * 3600_000 },
    );
  } else {
    // The point-in-time window: the running instance's, or that of the deleted one's retained
    // automated backups (the stack keeps them: deleteAutomatedBackups false).
    let from: { SourceDBInstanceIdentifier: string } | { SourceDbiResourceId: string };
    let latest: Date | undefined;
    let earliest: number;
    let window: string;
    if (current) {
      from = { SourceDBInstanceIdentifier: sourceId };
      latest = current.LatestRestorableTime;
      earliest = started - (current.BackupRetentionPeriod ?? 0) * 86_400_000;
      window = `the ${current.BackupRetentionPeriod ?? 0}-day point-in-time window`;
    } else {
      const retained = await retainedAutomatedBackup(clients.rds, sourceId);
      if (!retained?.DbiResourceId) {
        throw new OperationError(
          `the stack's database ${sourceId} does not exist and has no retained automated backups, so there is no point in time to restore. Restore an AWS Backup recovery point into it instead: list them with aws backup list-recovery-points-by-backup-vault --backup-vault-name ${stateful.BackupVaultName}, then npm run restore -w infra -- ${profile.name} --recovery-point <arn>`,
        );
      }
      log(
        `   from the retained automated backups of the deleted ${sourceId} (${retained.DbiResourceId})`,
      );
      from = { SourceDbiResourceId: retained.DbiResourceId };
      latest = retained.RestoreWindow?.LatestTime;
      earliest = retained.RestoreWindow?.EarliestTime?.getTime() ?? 0;
      window = `the retained automated backups' window (from ${retained.RestoreWindow?.EarliestTime?.toISOString() ?? '?'})`;
    }
    if (source.kind === 'point-in-time') {
      if (latest && source.time.getTime() > latest.getTime()) {
        throw new OperationError(
          `--to ${source.time.toISOString()} is after the latest restorable time ${latest.toISOString()}; use --latest or an earlier time`,
        );
      }
      if (source.time.getTime() < earliest) {
        throw new OperationError(
          `--to ${source.time.toISOString()} is before ${window}; use --recovery-point with an AWS Backup recovery point`,
        );
      }
    }
    await clients.rds.send(
      new RestoreDBInstanceToPointInTimeCommand({
        ...from,
        TargetDBInstanceIdentifier: target,
        ...(source.kind === 'latest'
          ? { UseLatestRestorableTime: true }
          : { RestoreTime: source.time }),
        DBInstanceClass: t.instanceClass,
        DBSubnetGroupName: stateful.DatabaseSubnetGroupName,
        VpcSecurityGroupIds: [stateful.DatabaseSecurityGroupId],
        DBParameterGroupName: stateful.DatabaseParameterGroupName,
        MultiAZ: t.multiAz,
        DeletionProtection: t.deletionProtection,
        PubliclyAccessible: false,
        CopyTagsToSnapshot: true,
        AutoMinorVersionUpgrade: true,
        StorageType: t.storageType,
        MaxAllocatedStorage: t.maxAllocatedStorageGiB,
        BackupRetentionPeriod: t.backupRetentionDays,
        EnableCloudwatchLogsExports: DATABASE_LOG_EXPORTS,
        PreferredBackupWindow: DATABASE_SETTINGS.backupWindow,
        Tags: [
          { Key: 'project', Value: 'cloud-todo' },
          { Key: 'profile', Value: profile.name },
        ],
      }),
    );
  }

  // 3. Wait, then check what cannot be corrected afterwards.
  const restored = await waitAvailable(target, 'restore', 6 * 3600_000);
  if (restored.KmsKeyId !== stateful.DatabaseKeyArn) {
    throw new OperationError(
      `${target} is encrypted with ${restored.KmsKeyId ?? 'no key'}, not the stack's key ${stateful.DatabaseKeyArn}; it was left as it is and nothing was switched`,
    );
  }
  endPhase('restore');

  // 4. Password from the secret, and any setting that differs from the stack's.
  const secret = await clients.secrets.send(
    new GetSecretValueCommand({ SecretId: stateful.DatabaseSecretArn }),
  );
  const credentials = JSON.parse(secret.SecretString ?? '{}') as Record<string, unknown>;
  if (typeof credentials.password !== 'string' || credentials.password.length === 0) {
    throw new OperationError(`the secret ${stateful.DatabaseSecretArn} has no password`);
  }
  const parameterGroupDiffers =
    restored.DBParameterGroups?.[0]?.DBParameterGroupName !== stateful.DatabaseParameterGroupName;
  await clients.rds.send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: target,
      MasterUserPassword: credentials.password,
      DBParameterGroupName: stateful.DatabaseParameterGroupName,
      VpcSecurityGroupIds: [stateful.DatabaseSecurityGroupId],
      MultiAZ: t.multiAz,
      DeletionProtection: t.deletionProtection,
      BackupRetentionPeriod: t.backupRetentionDays,
      // An AWS Backup restore sets neither: the stack's storage ceiling and log exports.
      MaxAllocatedStorage: t.maxAllocatedStorageGiB,
      CloudwatchLogsExportConfiguration: { EnableLogTypes: DATABASE_LOG_EXPORTS },
      PreferredBackupWindow: DATABASE_SETTINGS.backupWindow,
      PreferredMaintenanceWindow: DATABASE_SETTINGS.maintenanceWindow,
      // A restore does not carry Performance Insights over; the stack has it on, under its key.
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: stateful.DatabaseKeyArn,
      PerformanceInsightsRetentionPeriod: DATABASE_SETTINGS.performanceInsightsRetentionDays,
      ApplyImmediately: true,
    }),
  );
  await clock.sleep(Math.min(intervalMs, 10_000)); // let RDS take the modification up
  let settled = await waitAvailable(
    target,
    'password',
    3600_000,
    (d) =>
      d.PendingModifiedValues?.MasterUserPassword === undefined &&
      d.PendingModifiedValues?.MultiAZ === undefined,
  );
  if (
    parameterGroupDiffers ||
    settled.DBParameterGroups?.[0]?.ParameterApplyStatus === 'pending-reboot'
  ) {
    log(`   rebooting ${target} to apply ${stateful.DatabaseParameterGroupName}`);
    await clients.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: target }));
    await clock.sleep(Math.min(intervalMs, 10_000));
    settled = await waitAvailable(target, 'reboot', 3600_000);
  }
  endPhase('password and settings');

  // 5. Switch by name; nothing to switch when the restore went straight into the identifier.
  let switched = settled;
  if (!inPlace) {
    switched = await switchByName({
      rds: clients.rds,
      clock,
      log,
      waitAvailable,
      source: sourceId,
      replaced: identifiers.replaced,
      restored: identifiers.restored,
      oldResourceId: current.DbiResourceId,
      newResourceId: settled.DbiResourceId,
      services,
    });
    endPhase('switch');
  }

  // 6. The secret's host.
  const endpoint = switched.Endpoint?.Address;
  if (!endpoint) throw new OperationError(`${sourceId} has no endpoint`);
  if (credentials.host !== endpoint) {
    log(`   the secret's host ${String(credentials.host)} → ${endpoint}`);
    await clients.secrets.send(
      new PutSecretValueCommand({
        SecretId: stateful.DatabaseSecretArn,
        SecretString: JSON.stringify({ ...credentials, host: endpoint }),
      }),
    );
  }

  // 7. Redeploy the api.
  await clients.ecs.send(
    new UpdateServiceCommand({
      cluster: services.ClusterName,
      service: services.ApiServiceName,
      forceNewDeployment: true,
    }),
  );
  await pollUntil(
    'the api redeployment',
    async () => {
      const answer = await clients.ecs.send(
        new DescribeServicesCommand({
          cluster: services.ClusterName,
          services: [services.ApiServiceName],
        }),
      );
      const primary = answer.services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY');
      log(
        `   api deployment: ${primary?.rolloutState ?? '?'} (${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} tasks)`,
      );
      if (primary?.rolloutState === 'FAILED') {
        throw new OperationError(
          `the api redeployment failed: ${primary.rolloutStateReason ?? 'no reason given'}`,
        );
      }
      return primary?.rolloutState === 'COMPLETED' ? primary : undefined;
    },
    { clock, intervalMs, timeoutMs: 3600_000 },
  );
  endPhase('api redeploy');

  return {
    instanceId: sourceId,
    ...(inPlace ? {} : { replacedInstanceId: identifiers.replaced }),
    phases,
  };
}

/** What the command prints when it is done. */
export function restoreSummary(report: RestoreReport, profile: Profile): string[] {
  const total = report.phases.reduce((sum, p) => sum + p.ms, 0);
  const done = `restore: done in ${formatDuration(total)} (${report.phases.map((p) => `${p.name} ${formatDuration(p.ms)}`).join(', ')}).`;
  const replaced = report.replacedInstanceId;
  if (replaced === undefined) {
    return [
      done,
      `restore: ${report.instanceId} did not exist and is now the restored database; nothing was replaced.`,
    ];
  }
  return [
    done,
    `restore: ${report.instanceId} is now the restored database; the replaced one is ${replaced}.`,
    `restore: check the app, then delete the replaced instance:`,
    ...(profile.database.deletionProtection
      ? [
          `  aws rds modify-db-instance --db-instance-identifier ${replaced} --no-deletion-protection --apply-immediately`,
        ]
      : []),
    `  aws rds delete-db-instance --db-instance-identifier ${replaced} --final-db-snapshot-identifier ${replaced}-final`,
  ];
}
