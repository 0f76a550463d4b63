import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { THRESHOLDS } from '../alarm-thresholds.ts';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import { API_USER, apiEnvironment, apiSecrets } from '../constructs/api-container.ts';
import { AppService } from '../constructs/app-service.ts';
import { DatabaseEvents } from '../constructs/database-events.ts';
import { LoadBalancer } from '../constructs/load-balancer.ts';
import { LogQueries } from '../constructs/log-queries.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import { API_PORT, WEB_PORT } from '../constructs/network.ts';
import { RotationRedeploy } from '../constructs/rotation-redeploy.ts';
import { ServiceScaling } from '../constructs/service-scaling.ts';
import { WebFirewall } from '../constructs/web-firewall.ts';
import type { Profile } from '../profile.ts';
import { SERVICE_OUTPUTS as OUT } from '../stack-outputs.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly profile: Profile;
  readonly stateful: StatefulStack;
  /** The git commit both images are tagged with. */
  readonly imageTag: string;
}

/**
 * What can be thrown away and recreated from the stateful stack and an image tag: the ECS
 * cluster and services, the load balancer and firewall, scaling and monitoring.
 */
export class StatelessStack extends Stack {
  readonly api: AppService;
  readonly web: AppService;
  readonly loadBalancer: LoadBalancer;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { profile, stateful, imageTag } = props;
    const { network, database } = stateful;

    // The security groups and their rules belong to the stateful stack; imported immutable
    // here so that wiring services to the ALB cannot add duplicate rules from this stack.
    const importSg = (sgId: string, sg: ec2.ISecurityGroup) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, sgId, sg.securityGroupId, {
        mutable: false,
        allowAllOutbound: false,
      });

    // ECS Exec sessions (who ran what in which task) are logged to a group of their own.
    const execLogGroup = new logs.LogGroup(this, 'ExecSessionLogs', {
      retention: profile.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      executeCommandConfiguration: {
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: execLogGroup },
      },
    });

    const secret = database.secret;
    this.api = new AppService(this, 'Api', {
      cluster,
      repository: stateful.images.repositories.api,
      imageTag,
      port: API_PORT,
      sizing: profile.api,
      securityGroup: importSg('ApiSg', network.apiSecurityGroup),
      // No migration at start: the deploy runs the migration task first (MigrationStack).
      environment: apiEnvironment(),
      secrets: apiSecrets(secret),
      scratchPaths: ['/tmp'],
      user: API_USER,
      containerHealthCheck: ['node', '/app/healthcheck.mjs'],
      // Start and connect (with backoff) before the first check; /healthz answers before the
      // database is reachable, so this is margin, not a requirement.
      healthCheckGracePeriod: Duration.seconds(60),
      logRetentionDays: profile.logRetentionDays,
      enableExec: true,
    });
    this.web = new AppService(this, 'Web', {
      cluster,
      repository: stateful.images.repositories.web,
      imageTag,
      port: WEB_PORT,
      sizing: profile.web,
      securityGroup: importSg('WebSg', network.webSecurityGroup),
      // nginx-unprivileged keeps its pid and temp files under /tmp.
      scratchPaths: ['/tmp'],
      user: '101:101', // `nginx` in nginxinc/nginx-unprivileged (apps/web/Dockerfile)
      containerHealthCheck: [
        'curl',
        '-fsS',
        '-o',
        '/dev/null',
        '--max-time',
        '4',
        'http://127.0.0.1:8080/healthz',
      ],
      healthCheckGracePeriod: Duration.seconds(30), // nginx is up in about a second
      logRetentionDays: profile.logRetentionDays,
      enableExec: true,
    });

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      securityGroup: importSg('AlbSg', network.albSecurityGroup),
      accessLogBucket: stateful.accessLogs.bucket,
      api: { service: this.api.service, port: API_PORT },
      web: { service: this.web.service, port: WEB_PORT },
      domain: profile.domain,
      deletionProtection: profile.database.deletionProtection,
    });
    if (profile.waf) {
      new WebFirewall(this, 'Firewall', {
        loadBalancer: this.loadBalancer.alb,
        rateLimitPer5Min: profile.wafRateLimitPer5Min,
        metricPrefix: `CloudTodo-${profile.name}`,
      });
    }
    new ServiceScaling(this, 'ApiScaling', {
      service: this.api.service,
      targetGroup: this.loadBalancer.apiTargetGroup,
      sizing: profile.api,
    });
    new ServiceScaling(this, 'WebScaling', {
      service: this.web.service,
      targetGroup: this.loadBalancer.webTargetGroup,
      sizing: profile.web,
    });

    // CDK grants the task roles log-stream writes in the exec log group (`<group>:*`).
    const execLogGroupId = this.getLogicalId(execLogGroup.node.defaultChild as logs.CfnLogGroup);
    for (const service of [this.api, this.web]) {
      Validations.of(service.taskDefinition).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:aws:logs:${profile.region}:${profile.account}:log-group:<${execLogGroupId}>:*]`,
        reason:
          'ECS Exec session logging: the task writes its session transcripts as log streams of the one exec session log group; stream names are generated per session, so the grant names the group and any stream in it.',
      });
    }

    // A lab account does not rotate the password (profile.labRoleArn): nothing to redeploy on.
    if (!profile.labRoleArn) {
      new RotationRedeploy(this, 'RotationRedeploy', {
        secret,
        cluster,
        service: this.api.service,
        logRetentionDays: profile.logRetentionDays,
      });
    }

    const prefix = `CloudTodo-${profile.name}`;
    const alarms = new AlarmTopic(this, 'Alarms', {
      emails: profile.alarmEmails,
      alarmNamePrefix: `${prefix}-`,
    });
    new DatabaseEvents(this, 'DatabaseEvents', {
      instanceIdentifier: database.instance.instanceIdentifier,
      topic: alarms.topic,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      profile,
      topic: alarms.topic,
      cluster,
      loadBalancer: this.loadBalancer.alb,
      services: [
        {
          name: 'api',
          service: this.api.service,
          targetGroup: this.loadBalancer.apiTargetGroup,
          logGroup: this.api.logGroup,
          p99Seconds: THRESHOLDS.apiP99Seconds,
        },
        {
          name: 'web',
          service: this.web.service,
          targetGroup: this.loadBalancer.webTargetGroup,
          logGroup: this.web.logGroup,
          p99Seconds: THRESHOLDS.webP99Seconds,
        },
      ],
      database: database.instance,
      backupVault: stateful.backup.vault,
      namespace: `CloudTodo/${profile.name}`,
    });
    // A deploy whose new tasks answer 5xx or slowly is rolled back by ECS, not only one whose
    // tasks fail to start (the circuit breaker). docs/deploy.md says how fast.
    for (const [service, label] of [
      [this.api.service, 'Api'],
      [this.web.service, 'Web'],
    ] as const) {
      service.enableDeploymentAlarms(
        [
          this.monitoring.customAlarm(`${label}Target5xxRate`).alarmName,
          this.monitoring.customAlarm(`${label}P99Latency`).alarmName,
        ],
        { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
      );
    }
    new LogQueries(this, 'LogQueries', { prefix, apiLogGroup: this.api.logGroup });

    new CfnOutput(this, OUT.appUrl, {
      value: this.loadBalancer.url,
      description: 'The application',
    });
    new CfnOutput(this, OUT.dashboardUrl, {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.monitoring.dashboardName}`,
    });
    new CfnOutput(this, OUT.apiLogGroup, { value: this.api.logGroup.logGroupName });
    new CfnOutput(this, OUT.webLogGroup, { value: this.web.logGroup.logGroupName });
    new CfnOutput(this, OUT.execSessionLogGroup, { value: execLogGroup.logGroupName });
    new CfnOutput(this, OUT.clusterName, { value: cluster.clusterName });
    new CfnOutput(this, OUT.apiServiceName, { value: this.api.service.serviceName });
    new CfnOutput(this, OUT.webServiceName, { value: this.web.service.serviceName });
    new CfnOutput(this, OUT.alarmTopicArn, { value: alarms.topic.topicArn });
    new CfnOutput(this, 'ImageTag', { value: imageTag });
  }
}
