import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import { AppService } from '../constructs/app-service.ts';
import { LoadBalancer } from '../constructs/load-balancer.ts';
import { Monitoring, THRESHOLDS } from '../constructs/monitoring.ts';
import { API_PORT, WEB_PORT } from '../constructs/network.ts';
import { RotationRedeploy } from '../constructs/rotation-redeploy.ts';
import { ServiceScaling } from '../constructs/service-scaling.ts';
import { WebFirewall } from '../constructs/web-firewall.ts';
import type { Profile } from '../profile.ts';
import type { StatefulStack } from './stateful-stack.ts';

/** Where the API image carries the RDS CA bundle (apps/api/Dockerfile puts it there). */
export const RDS_CA_FILE = '/app/certs/rds-global-bundle.pem';

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

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const secret = database.secret;
    this.api = new AppService(this, 'Api', {
      cluster,
      repository: stateful.images.repositories.api,
      imageTag,
      port: API_PORT,
      sizing: profile.api,
      securityGroup: importSg('ApiSg', network.apiSecurityGroup),
      environment: {
        PORT: String(API_PORT),
        DB_SSL: 'verify-full',
        DB_CA_FILE: RDS_CA_FILE,
        LOG_LEVEL: 'info',
        MIGRATE_ON_START: 'true',
      },
      secrets: {
        DB_HOST: ecs.Secret.fromSecretsManager(secret, 'host'),
        DB_PORT: ecs.Secret.fromSecretsManager(secret, 'port'),
        DB_USER: ecs.Secret.fromSecretsManager(secret, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'),
        DB_NAME: ecs.Secret.fromSecretsManager(secret, 'dbname'),
      },
      scratchPaths: ['/tmp'],
      user: '1000:1000', // `node` in the official Node.js images (apps/api/Dockerfile)
      containerHealthCheck: ['node', '/app/healthcheck.mjs'],
      // Start, connect (with backoff) and run migrations under a lock before the first check.
      healthCheckGracePeriod: Duration.seconds(60),
      logRetentionDays: profile.logRetentionDays,
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

    new RotationRedeploy(this, 'RotationRedeploy', {
      secret,
      cluster,
      service: this.api.service,
      logRetentionDays: profile.logRetentionDays,
    });

    const alarms = new AlarmTopic(this, 'Alarms', { emails: profile.alarmEmails });
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

    new CfnOutput(this, 'AppUrl', { value: this.loadBalancer.url, description: 'The application' });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.monitoring.dashboardName}`,
    });
    new CfnOutput(this, 'ApiLogGroup', { value: this.api.logGroup.logGroupName });
    new CfnOutput(this, 'WebLogGroup', { value: this.web.logGroup.logGroupName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'ImageTag', { value: imageTag });
  }
}
