import { describe, expect, it } from 'vitest';
import { resourcesOf, synthResult, templates } from './templates.ts';

/** The class profile: what the failover lab needs (two AZs, Multi-AZ), nothing it does not. */
describe('course profile', () => {
  const { stateful, services } = templates('course');

  it('synthesizes cdk-nag clean', () => {
    expect(synthResult('course').violations).toEqual([]);
  });

  it('runs a Multi-AZ db.t4g.micro', () => {
    stateful.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.t4g.micro',
      MultiAZ: true,
    });
  });

  it('has one NAT gateway, two AZs, and no WAF', () => {
    stateful.resourceCountIs('AWS::EC2::NatGateway', 1);
    const publicSubnets = Object.values(resourcesOf(stateful, 'AWS::EC2::Subnet')).filter(
      (s) => s.Properties?.MapPublicIpOnLaunch === true,
    );
    expect(publicSubnets).toHaveLength(2);
    services.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });
});
