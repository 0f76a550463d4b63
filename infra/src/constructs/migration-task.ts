import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { API_USER, apiEnvironment, apiSecrets } from './api-container.ts';

/** What the migration task runs: the api image's one-off migrate command (apps/api/src/migrate.ts). */
export const MIGRATE_COMMAND = ['node', '--enable-source-maps', 'dist/migrate.js'] as const;

export interface MigrationTaskProps {
  readonly vpc: ec2.IVpc;
  /** The api repository; the tag is the git commit being deployed. */
  readonly repository: ecr.IRepository;
  readonly imageTag: string;
  /** The database secret (the same keys the api reads). */
  readonly secret: secretsmanager.ISecret;
  readonly logRetentionDays: number;
}

/**
 * The schema migration as a one-off Fargate task: the api image of the commit being deployed,
 * running `dist/migrate.js` (which takes the migration lock, migrates, exits 0, or exits 1 on
 * failure). The deploy runs it and waits for its exit code before any service changes, so a
 * failed migration stops the deploy with the old code still serving.
 */
export class MigrationTask extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MigrationTaskProps) {
    super(scope, id);
    // A cluster of its own (clusters cost nothing): the task must exist, with the new image,
    // before the service stack is updated, and the services' cluster lives in that stack.
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinition.addContainer('migrate', {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, props.imageTag),
      command: [...MIGRATE_COMMAND],
      environment: apiEnvironment(),
      secrets: apiSecrets(props.secret),
      readonlyRootFilesystem: true,
      user: API_USER,
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'migrate' }),
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The execution role needs ecr:GetAuthorizationToken, which has no resource-level permissions (https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html); image pulls and log writes are scoped to the repository and the log group.',
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The plain environment holds only non-secret settings (port, TLS mode, CA path, log level); every credential comes from Secrets Manager through `secrets`, as for the api service.',
    });
  }
}
