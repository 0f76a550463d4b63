import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AccessLogBucket } from '../constructs/access-log-bucket.ts';
import { Backup } from '../constructs/backup.ts';
import { Database } from '../constructs/database.ts';
import { ImageRepositories } from '../constructs/image-repositories.ts';
import { Network } from '../constructs/network.ts';
import type { Profile } from '../profile.ts';
import { STATEFUL_OUTPUTS as OUT } from '../stack-outputs.ts';

export interface StatefulStackProps extends StackProps {
  readonly profile: Profile;
  /** ARN of the second-region vault that receives backup copies, if any. */
  readonly backupCopyVaultArn?: string;
}

/**
 * What must survive: network, database, backups, image repositories, access logs.
 * Termination protection is on, every resource has an explicit removal policy, and the
 * construct ids below must never change (test/stateful-ids.test.ts pins the logical ids):
 * a changed id would make CloudFormation replace the database.
 */
export class StatefulStack extends Stack {
  readonly network: Network;
  readonly database: Database;
  readonly backup: Backup;
  readonly images: ImageRepositories;
  readonly accessLogs: AccessLogBucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const { profile } = props;

    this.network = new Network(this, 'Network', {
      cidr: profile.vpcCidr,
      availabilityZones: profile.availabilityZones,
      natGateways: profile.natGateways,
      logRetentionDays: profile.logRetentionDays,
    });
    this.database = new Database(this, 'Database', {
      vpc: this.network.vpc,
      securityGroup: this.network.databaseSecurityGroup,
      config: profile.database,
      logRetentionDays: profile.logRetentionDays,
      rotatePassword: !profile.labRoleArn,
    });
    this.backup = new Backup(this, 'Backup', {
      database: this.database.instance,
      config: profile.backup,
      copyVaultArn: props.backupCopyVaultArn,
    });
    this.images = new ImageRepositories(this, 'Images');
    this.accessLogs = new AccessLogBucket(this, 'AccessLogs', {
      expireAfterDays: profile.logRetentionDays,
    });

    // A restored instance is encrypted with the database's key, as its snapshot is: AWS Backup
    // needs to use it (RDS creates a grant for the new instance).
    this.database.key.grant(
      this.backup.restoreRole,
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    );
    const outputs: Record<keyof typeof OUT, string> = {
      apiRepositoryUri: this.images.repositories.api.repositoryUri,
      webRepositoryUri: this.images.repositories.web.repositoryUri,
      databaseSecretArn: this.database.secret.secretArn,
      // What a restore needs to recreate the database as the stack defines it
      // (`npm run restore -w infra`, docs/backup.md).
      databaseInstanceId: this.database.instance.instanceIdentifier,
      databaseParameterGroup: this.database.parameterGroup.bindToInstance({}).parameterGroupName,
      databaseSubnetGroup: this.database.subnetGroup.subnetGroupName,
      databaseSecurityGroup: this.network.databaseSecurityGroup.securityGroupId,
      databaseKeyArn: this.database.key.keyArn,
      backupVaultName: this.backup.vault.backupVaultName,
      backupRestoreRoleArn: this.backup.restoreRole.roleArn,
    };
    for (const [key, value] of Object.entries(outputs)) {
      new CfnOutput(this, OUT[key as keyof typeof OUT], { value });
    }

    acknowledgeCdkSingletons(this);
  }
}

/**
 * Findings on the log-retention function that aws-cdk-lib adds for the database's exported
 * logs (`cloudwatchLogsRetention`): its role and policy are the library's, not ours to change.
 */
function acknowledgeCdkSingletons(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('LogRetention')) continue;
    const reason =
      'The log-retention provider that aws-cdk-lib adds and maintains: it runs only during deployments to set retention on the RDS log groups, with the AWS-managed basic execution policy for its own logs and logs:PutRetentionPolicy, which the library scopes to *.';
    Validations.of(child).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason,
    });
    Validations.of(child).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
  }
}
