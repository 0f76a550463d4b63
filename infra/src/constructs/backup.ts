import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { Profile } from '../profile.ts';

export interface BackupProps {
  /** The database instance to back up. */
  readonly database: rds.IDatabaseInstance;
  /** The profile's backup section. */
  readonly config: Profile['backup'];
  /** ARN of the vault in the second region that receives copies, if any. */
  readonly copyVaultArn?: string;
}

/**
 * AWS Backup for the database, on top of RDS's own automated backups (PITR): an encrypted
 * vault outside the instance's lifecycle, a daily rule and, in prod, a monthly rule kept
 * for a year. Failure notifications live with the alarms (monitoring in the service stack).
 */
export class Backup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  /** The role AWS Backup assumes to restore a recovery point (`npm run restore -w infra`). */
  readonly restoreRole: iam.Role;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    const key = new kms.Key(this, 'VaultKey', {
      description: 'cloud-todo backup vault',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN, // recovery points must outlive any stack change
    });

    const copyVault = props.copyVaultArn
      ? backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', props.copyVaultArn)
      : undefined;
    // A copy is kept as long as its original.
    const copyTo = (days: number) =>
      copyVault
        ? [{ destinationBackupVault: copyVault, deleteAfter: Duration.days(days) }]
        : undefined;
    const rules = [
      new backup.BackupPlanRule({
        ruleName: 'daily',
        backupVault: this.vault,
        // 05:00 UTC, after the RDS backup window (03:00–04:00) and maintenance (sun 04:30).
        scheduleExpression: events.Schedule.cron({ minute: '0', hour: '5' }),
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(4),
        deleteAfter: Duration.days(props.config.dailyRetentionDays),
        copyActions: copyTo(props.config.dailyRetentionDays),
      }),
    ];
    if (props.config.monthlyRetentionDays > 0) {
      rules.push(
        new backup.BackupPlanRule({
          ruleName: 'monthly',
          backupVault: this.vault,
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '5', day: '1' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: Duration.days(props.config.monthlyRetentionDays),
          copyActions: copyTo(props.config.monthlyRetentionDays),
        }),
      );
    }
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: rules,
    });
    const selection = this.plan.addSelection('Database', {
      resources: [backup.BackupResource.fromRdsDatabaseInstance(props.database)],
    });
    this.restoreRole = new iam.Role(this, 'RestoreRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup restores of the cloud-todo database',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName(
          'service-role/AWSBackupServiceRolePolicyForRestores',
        ),
      ],
    });
    Validations.of(this.restoreRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason:
        'AWS Backup assumes this role to restore; AWSBackupServiceRolePolicyForRestores is the AWS-maintained policy for it, kept current by AWS as Backup adds resource types.',
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup assumes this role; AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy for it, kept current by AWS as Backup adds resource types.',
    });
  }
}
