import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DomainConfig } from '../profile.ts';

/**
 * ALB health checks on `/healthz` (process alive, never the database: an RDS failover must
 * not make the ALB and ECS kill every api task). 10 s interval, 5 s timeout: a task that
 * stops answering is out of rotation after 3 failures (≈ 30 s) and back after 2 successes
 * (≈ 20 s). https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export const HEALTH_CHECK = {
  path: '/healthz',
  interval: Duration.seconds(10),
  timeout: Duration.seconds(5),
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 3,
  healthyHttpCodes: '200',
} as const;

/**
 * Time a deregistering target keeps its in-flight requests before ECS sends SIGTERM. The
 * API drains within 10 s of SIGTERM; requests to a deregistering target stop at once, so 15 s
 * covers the longest request we expect (the ALB idle timeout is not a request budget).
 */
export const DEREGISTRATION_DELAY = Duration.seconds(15);

/** Paths the ALB sends to the api; everything else goes to web (nginx + SPA). */
export const API_PATHS = ['/api', '/api/*'];

export interface LoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly accessLogBucket: s3.IBucket;
  readonly api: { readonly service: ecs.FargateService; readonly port: number };
  readonly web: { readonly service: ecs.FargateService; readonly port: number };
  /** HTTPS when set; plain HTTP otherwise. */
  readonly domain?: DomainConfig;
  /** Deletion protection on the load balancer. */
  readonly deletionProtection: boolean;
}

/**
 * The public entry point: ALB in the public subnets, `/api` → api, default → web, HTTPS with
 * an ACM certificate when the profile names a domain (HTTP then only redirects), access
 * logs to the encrypted bucket, invalid header fields dropped.
 */
export class LoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly apiTargetGroup: elbv2.ApplicationTargetGroup;
  readonly webTargetGroup: elbv2.ApplicationTargetGroup;
  readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection,
      http2Enabled: true,
      idleTimeout: Duration.seconds(60),
    });
    this.alb.logAccessLogs(props.accessLogBucket, 'alb');

    const targetGroup = (tgId: string, port: number, service: ecs.FargateService) =>
      new elbv2.ApplicationTargetGroup(this, tgId, {
        vpc: props.vpc,
        port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        targets: [service],
        healthCheck: { ...HEALTH_CHECK, protocol: elbv2.Protocol.HTTP },
        deregistrationDelay: DEREGISTRATION_DELAY,
      });
    this.apiTargetGroup = targetGroup('ApiTargets', props.api.port, props.api.service);
    this.webTargetGroup = targetGroup('WebTargets', props.web.port, props.web.service);

    const listener = props.domain ? this.httpsListener(props.domain) : this.httpListener();
    listener.addAction('Api', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(API_PATHS)],
      action: elbv2.ListenerAction.forward([this.apiTargetGroup]),
    });
    this.url = props.domain
      ? `https://${props.domain.name}`
      : `http://${this.alb.loadBalancerDnsName}`;
  }

  private httpListener(): elbv2.ApplicationListener {
    return this.alb.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false, // the security group already says who may connect
      defaultAction: elbv2.ListenerAction.forward([this.webTargetGroup]),
    });
  }

  private httpsListener(domain: DomainConfig): elbv2.ApplicationListener {
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.zoneName,
    });
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: domain.name,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    new route53.ARecord(this, 'AliasV4', {
      zone,
      recordName: domain.name,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.alb)),
    });
    this.alb.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({
        protocol: 'HTTPS',
        port: '443',
        permanent: true,
      }),
    });
    return this.alb.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      open: false,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction: elbv2.ListenerAction.forward([this.webTargetGroup]),
    });
  }
}
