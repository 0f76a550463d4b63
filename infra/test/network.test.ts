import { describe, expect, it } from 'vitest';
import { resourcesOf, templates, VARIANTS, type Variant } from './templates.ts';

const sgId = (template: ReturnType<typeof templates>['stateful'], description: string): string => {
  const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
  const match = Object.entries(groups).filter(
    ([, r]) => r.Properties?.GroupDescription === description,
  );
  expect(match, description).toHaveLength(1);
  return match[0]![0];
};

describe.each(['dev', 'prod'] as Variant[])('network (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const { stateful, services } = templates(variant);

  it('spans the profile’s availability zones with public, private and isolated subnets', () => {
    stateful.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: profile.vpcCidr });
    const subnets = Object.values(resourcesOf(stateful, 'AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(3 * profile.availabilityZones.length);
    const byType = (type: string) =>
      subnets.filter((s) =>
        (s.Properties?.Tags as { Key: string; Value: string }[]).some(
          (t) => t.Key === 'aws-cdk:subnet-type' && t.Value === type,
        ),
      );
    for (const type of ['Public', 'Private', 'Isolated']) {
      const ofType = byType(type);
      expect(ofType).toHaveLength(profile.availabilityZones.length);
      expect(new Set(ofType.map((s) => s.Properties?.AvailabilityZone))).toEqual(
        new Set(profile.availabilityZones),
      );
    }
    // Only public subnets hand out public IPs.
    for (const s of [...byType('Private'), ...byType('Isolated')]) {
      expect(s.Properties?.MapPublicIpOnLaunch).not.toBe(true);
    }
  });

  it(`has ${profile.natGateways} NAT gateway(s) and no internet route from the isolated subnets`, () => {
    stateful.resourceCountIs('AWS::EC2::NatGateway', profile.natGateways);
    const routes = Object.values(resourcesOf(stateful, 'AWS::EC2::Route'));
    // public: default route to the IGW per AZ; private: to a NAT per AZ; isolated: none.
    expect(routes).toHaveLength(2 * profile.availabilityZones.length);
  });

  it('logs all VPC traffic to a log group with retention', () => {
    stateful.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    stateful.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: profile.logRetentionDays,
    });
  });

  it('opens the ALB to the internet on 80 and 443 only', () => {
    const alb = sgId(stateful, 'ALB: HTTP/HTTPS from the internet');
    const group = resourcesOf(stateful, 'AWS::EC2::SecurityGroup')[alb]!;
    const ingress = group.Properties?.SecurityGroupIngress as Record<string, unknown>[];
    expect(
      ingress
        .map((r) => `${String(r.CidrIp ?? r.CidrIpv6)}:${String(r.FromPort)}-${String(r.ToPort)}`)
        .sort(),
    ).toEqual(['0.0.0.0/0:443-443', '0.0.0.0/0:80-80', '::/0:443-443', '::/0:80-80'].sort());
  });

  it('admits api 5000 and web 8080 from the ALB only, and PostgreSQL 5432 from the api (and the rotation function) only', () => {
    const alb = sgId(stateful, 'ALB: HTTP/HTTPS from the internet');
    const api = sgId(stateful, 'api tasks: 5000 from the ALB only');
    const web = sgId(stateful, 'web tasks: 8080 from the ALB only');
    const db = sgId(stateful, 'database: 5432 from the api only');
    const ingress = Object.values(resourcesOf(stateful, 'AWS::EC2::SecurityGroupIngress')).map(
      (r) => r.Properties!,
    );
    const into = (group: string) =>
      ingress.filter(
        (r) => JSON.stringify(r.GroupId) === JSON.stringify({ 'Fn::GetAtt': [group, 'GroupId'] }),
      );
    const source = (r: Record<string, unknown>) =>
      (r.SourceSecurityGroupId as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];

    expect(into(api).map((r) => [source(r), r.FromPort, r.ToPort])).toEqual([[alb, 5000, 5000]]);
    expect(into(web).map((r) => [source(r), r.FromPort, r.ToPort])).toEqual([[alb, 8080, 8080]]);
    const dbSources = into(db).map((r) => [source(r), r.FromPort]);
    expect(dbSources).toContainEqual([api, 5432]);
    expect(dbSources).toHaveLength(2);
    const other = dbSources.find(([s]) => s !== api)!;
    expect(String(other[0])).toMatch(/Rotation/);
    // No CIDR-based ingress anywhere but the ALB.
    expect(ingress.every((r) => r.CidrIp === undefined && r.CidrIpv6 === undefined)).toBe(true);
    // The groups themselves carry no inline ingress, except the ALB's.
    for (const g of [api, web, db]) {
      expect(
        resourcesOf(stateful, 'AWS::EC2::SecurityGroup')[g]!.Properties?.SecurityGroupIngress,
      ).toBeUndefined();
    }
  });

  it('limits egress: ALB to the task ports, tasks to HTTPS and the api to PostgreSQL', () => {
    const alb = sgId(stateful, 'ALB: HTTP/HTTPS from the internet');
    const api = sgId(stateful, 'api tasks: 5000 from the ALB only');
    const egress = Object.values(resourcesOf(stateful, 'AWS::EC2::SecurityGroupEgress')).map(
      (r) => r.Properties!,
    );
    const from = (group: string) =>
      egress
        .filter(
          (r) => JSON.stringify(r.GroupId) === JSON.stringify({ 'Fn::GetAtt': [group, 'GroupId'] }),
        )
        .map((r) => r.FromPort);
    expect(from(alb).sort()).toEqual([5000, 8080]);
    expect(from(api)).toEqual([5432]);
    const groups = resourcesOf(stateful, 'AWS::EC2::SecurityGroup');
    expect(groups[api]!.Properties?.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
  });

  it('leaves every security-group rule to the stateful stack (the service stack adds none)', () => {
    services.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    services.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    services.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });
});

describe('course comparison', () => {
  it('uses RFC 1918 space, unlike the course’s 172.100.0.0/16', () => {
    for (const profile of [VARIANTS.dev, VARIANTS.prod]) {
      expect(profile.vpcCidr).toMatch(/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/);
    }
  });
});
