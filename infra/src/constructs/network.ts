import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Container ports of the platform contract. */
export const API_PORT = 5000;
export const WEB_PORT = 8080;
export const DB_PORT = 5432;

export interface NetworkProps {
  /** VPC CIDR (RFC 1918). */
  readonly cidr: string;
  /** Explicit availability zones (no lookup at synth). */
  readonly availabilityZones: readonly string[];
  /** NAT gateways: 1, or one per AZ. */
  readonly natGateways: number;
  /** Flow-log retention in days. */
  readonly logRetentionDays: number;
}

/**
 * The VPC and every security group of the platform, so that the whole least-privilege
 * picture sits in one place: ALB ← internet (80/443), api ← ALB (5000), web ← ALB (8080),
 * database ← api (5432). The security groups are stateful-stack resources: the services
 * can be destroyed and recreated without touching the database's ingress rules.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly albSecurityGroup: ec2.SecurityGroup;
  readonly apiSecurityGroup: ec2.SecurityGroup;
  readonly webSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways,
      subnetConfiguration: [
        // ALB and NAT gateways.
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // Tasks: outbound through NAT (ECR, Secrets Manager, CloudWatch), no public IPs.
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        // The database: no route to or from the internet at all.
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      restrictDefaultSecurityGroup: true,
    });

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const sg = (sgId: string, description: string) =>
      new ec2.SecurityGroup(this, sgId, { vpc: this.vpc, description, allowAllOutbound: false });
    this.albSecurityGroup = sg('AlbSecurityGroup', 'ALB: HTTP/HTTPS from the internet');
    this.apiSecurityGroup = sg('ApiSecurityGroup', 'api tasks: 5000 from the ALB only');
    this.webSecurityGroup = sg('WebSecurityGroup', 'web tasks: 8080 from the ALB only');
    this.databaseSecurityGroup = sg('DatabaseSecurityGroup', 'database: 5432 from the api only');

    for (const peer of [ec2.Peer.anyIpv4(), ec2.Peer.anyIpv6()]) {
      this.albSecurityGroup.addIngressRule(
        peer,
        ec2.Port.tcp(80),
        'HTTP (redirected to HTTPS when a domain is set)',
      );
      this.albSecurityGroup.addIngressRule(peer, ec2.Port.tcp(443), 'HTTPS');
    }
    Validations.of(this.albSecurityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The ALB is the public entry point of the web application: 80 and 443 must be open to the whole internet. AWS WAF (prod) filters requests in front of it; nothing else accepts traffic from outside the VPC.',
    });

    this.albSecurityGroup.connections.allowTo(
      this.apiSecurityGroup,
      ec2.Port.tcp(API_PORT),
      'ALB to api',
    );
    this.albSecurityGroup.connections.allowTo(
      this.webSecurityGroup,
      ec2.Port.tcp(WEB_PORT),
      'ALB to web',
    );
    this.apiSecurityGroup.connections.allowTo(
      this.databaseSecurityGroup,
      ec2.Port.tcp(DB_PORT),
      'api to PostgreSQL',
    );

    // Tasks pull images from ECR and write logs through NAT; the api also reads nothing else.
    for (const tasks of [this.apiSecurityGroup, this.webSecurityGroup]) {
      tasks.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'HTTPS to AWS APIs (ECR, CloudWatch Logs, Secrets Manager)',
      );
    }
  }
}
