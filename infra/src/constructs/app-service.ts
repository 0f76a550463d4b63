import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ServiceSizing } from '../profile.ts';

/**
 * How long ECS waits after SIGTERM before SIGKILL. The API drains within 10 s of SIGTERM
 * (platform contract); 30 s is ECS's default and leaves ample margin.
 */
export const STOP_TIMEOUT = Duration.seconds(30);

export interface AppServiceProps {
  readonly cluster: ecs.ICluster;
  /** The image repository; the tag is the git commit. */
  readonly repository: ecr.IRepository;
  /** The image tag (git commit), never `latest`. */
  readonly imageTag: string;
  /** The container port. */
  readonly port: number;
  readonly sizing: ServiceSizing;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Plain environment (nothing secret). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Values injected from Secrets Manager at task start. */
  readonly secrets?: Readonly<Record<string, ecs.Secret>>;
  /**
   * Writable scratch folders in a read-only root file system. Fargate creates such a volume
   * owned by root with mode 0755, unless the image declares the same path as a `VOLUME`: then
   * it copies the image's folder, owner and mode (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html).
   * A non-root image must therefore declare `VOLUME ["/tmp"]` for its /tmp to be writable.
   */
  readonly scratchPaths: readonly string[];
  /** The image's non-root user, `uid:gid`. */
  readonly user: string;
  /**
   * The image's own health probe (its Dockerfile HEALTHCHECK, which ECS does not read by
   * itself), as an exec-form command: an essential container that turns unhealthy is replaced.
   */
  readonly containerHealthCheck: readonly string[];
  /** Seconds after a task starts during which failing ALB health checks are ignored. */
  readonly healthCheckGracePeriod: Duration;
  /** Log retention in days. */
  readonly logRetentionDays: number;
  /**
   * ECS Exec (`aws ecs execute-command`) into the running tasks, for debugging; sessions are
   * logged where the cluster's execute-command configuration says. Default: off.
   */
  readonly enableExec?: boolean;
}

/**
 * Where the SSM agent that ECS Exec injects writes its state and logs. A read-only root file
 * system would stop the agent, so these get writable task volumes of their own
 * (https://github.com/aws/containers-roadmap/issues/1359); the agent runs as root.
 */
export const EXEC_AGENT_PATHS = ['/var/lib/amazon/ssm', '/var/log/amazon/ssm'] as const;

/**
 * One containerised service on Fargate in the private subnets: no public IP, read-only
 * root file system with explicit scratch volumes, logs to its own log group, rolling
 * deployments that never drop below the desired count and roll back on failure.
 */
export class AppService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.sizing.cpu,
      memoryLimitMiB: props.sizing.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.container = this.taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, props.imageTag),
      portMappings: [{ containerPort: props.port, protocol: ecs.Protocol.TCP }],
      environment: { ...props.environment },
      secrets: { ...props.secrets },
      readonlyRootFilesystem: true,
      user: props.user,
      stopTimeout: STOP_TIMEOUT,
      healthCheck: {
        command: ['CMD', ...props.containerHealthCheck],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: props.healthCheckGracePeriod,
      },
      essential: true,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: id.toLowerCase(),
        // A slow log pipeline must not stall request handling; 25 MiB of buffer before drops.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The execution role needs ecr:GetAuthorizationToken, which has no resource-level permissions (https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html); image pulls and log writes are scoped to the repository and the log group.',
    });
    if (Object.keys(props.environment ?? {}).length > 0) {
      Validations.of(this.taskDefinition).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason:
          'The plain environment holds only non-secret settings (port, TLS mode, CA path, log level); every credential comes from Secrets Manager through `secrets`, and tests assert that no DB_* credential is a plain variable.',
      });
    }
    props.scratchPaths.forEach((path, index) => {
      const name = `scratch${index}`;
      this.taskDefinition.addVolume({ name });
      this.container.addMountPoints({ sourceVolume: name, containerPath: path, readOnly: false });
    });
    if (props.enableExec) {
      EXEC_AGENT_PATHS.forEach((path, index) => {
        const name = `execAgent${index}`;
        this.taskDefinition.addVolume({ name });
        this.container.addMountPoints({ sourceVolume: name, containerPath: path, readOnly: false });
      });
    }

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.sizing.minTasks,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod,
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: props.enableExec ?? false,
    });
  }
}
