import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { InstanceType, SubnetType } from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { DATABASE_SETTINGS } from '../database-settings.ts';
import type { Profile } from '../profile.ts';

/** The database and user the API connects with (the secret's `dbname` and `username`). */
export const DATABASE_NAME = 'todo';
export const DATABASE_USER = 'todo';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Security group of the instance (ingress from the api only). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The profile's database section. */
  readonly config: Profile['database'];
  /** Retention of the exported PostgreSQL logs, in days. */
  readonly logRetentionDays: number;
  /**
   * Rotate the password every `config.secretRotationDays` (default). Off only in a lab account
   * (profile.labRoleArn): the rotation function's stack creates an IAM role of its own.
   */
  readonly rotatePassword?: boolean;
}

/**
 * RDS PostgreSQL in the isolated subnets: encrypted with a customer-managed KMS key, gp3
 * with storage autoscaling, TLS forced, credentials generated into Secrets Manager (with
 * the keys the API reads: host, port, username, password, dbname) and rotated.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly secret: rds.DatabaseSecret;
  readonly key: kms.Key;
  readonly parameterGroup: rds.ParameterGroup;
  /** The subnet group that the instance creates for itself (a restore reuses it). */
  readonly subnetGroup: rds.ISubnetGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { config } = props;

    this.key = new kms.Key(this, 'Key', {
      description: 'cloud-todo database: storage and Performance Insights',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN, // snapshots outlive the instance and need the key
    });

    // Our own secret, because the generated one has no `dbname`; the attachment below adds
    // host, port and engine once the instance exists.
    this.secret = new rds.DatabaseSecret(this, 'Secret', {
      username: DATABASE_USER,
      dbname: DATABASE_NAME,
      // The AWS-managed Secrets Manager key: access is then a matter of IAM alone, so the
      // service stack's task role can be granted read without editing this stack's key policy.
      // Characters that break connection strings or shells if someone builds a URL by hand.
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
    });

    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.VER_18_3,
    });
    const parameterGroup = (this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'cloud-todo: TLS only, slow-query and connection logging',
      parameters: {
        'rds.force_ssl': '1', // refuse unencrypted connections
        ssl_min_protocol_version: 'TLSv1.2',
        log_min_duration_statement: '1000', // ms: log statements slower than 1 s
        log_connections: '1',
        log_disconnections: '1',
      },
    }));

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new InstanceType(config.instanceType),
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      credentials: rds.Credentials.fromSecret(this.secret),
      databaseName: DATABASE_NAME,
      multiAz: config.multiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: config.allocatedStorageGiB,
      maxAllocatedStorage: config.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      parameterGroup,
      backupRetention: Duration.days(config.backupRetentionDays),
      preferredBackupWindow: DATABASE_SETTINGS.backupWindow,
      preferredMaintenanceWindow: DATABASE_SETTINGS.maintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: config.deletionProtection,
      // prod: a final snapshot on delete; dev: data is disposable.
      removalPolicy: config.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      cloudwatchLogsExports: [...DATABASE_SETTINGS.logExports],
      cloudwatchLogsRetention: props.logRetentionDays,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.key,
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT, // 7 days, free tier
    });

    this.subnetGroup = this.instance.node.findChild('SubnetGroup') as rds.SubnetGroup;

    // Single-user rotation: the new password is set on the same user. PostgreSQL checks a
    // password only when a connection opens, so the api's pooled connections survive; the
    // service stack redeploys the api on each successful rotation (RotationRedeploy), so new
    // tasks read the new secret. See docs/database.md.
    if (props.rotatePassword ?? true) {
      this.instance.addRotationSingleUser({
        automaticallyAfter: Duration.days(config.secretRotationDays),
        // The rotation function calls Secrets Manager: it needs the NAT route, which the
        // isolated database subnets do not have.
        vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      });
    } else {
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Lab account (labRoleArn): the hosted rotation function is deployed by a Secrets Manager application whose stack creates an IAM role, which a lab account may not do. The password stays as generated for the lifetime of a lab environment.',
      });
    }

    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'The default port 5432 is kept: the instance is reachable only from the api security group in isolated subnets, and a non-standard port adds no protection against a client that is already inside the VPC.',
    });
    if (!config.multiAz) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason:
          'Single-AZ by profile choice (dev): it halves the database cost; prod runs Multi-AZ. Point-in-time recovery and AWS Backup still protect the data.',
      });
    }
    if (!config.deletionProtection) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'Deletion protection is off by profile choice (dev) so that a test environment can be torn down; prod turns it on.',
      });
    }
  }
}
