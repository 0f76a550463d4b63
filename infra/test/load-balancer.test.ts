import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOf, templates, VARIANTS, type Variant } from './templates.ts';

describe.each(['dev', 'prod', 'https'] as Variant[])('load balancer (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const { services } = templates(variant);
  const listeners = () =>
    Object.entries(resourcesOf(services, 'AWS::ElasticLoadBalancingV2::Listener'));

  it('is internet-facing in the public subnets, drops invalid headers, logs to the access-log bucket', () => {
    const alb = Object.values(
      resourcesOf(services, 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
    )[0]!;
    expect(alb.Properties?.Scheme).toBe('internet-facing');
    expect(JSON.stringify(alb.Properties?.Subnets)).toMatch(/publicSubnet1/);
    expect(alb.Properties?.Subnets).toHaveLength(profile.availabilityZones.length);
    const attributes = Object.fromEntries(
      (alb.Properties?.LoadBalancerAttributes as { Key: string; Value: unknown }[]).map((a) => [
        a.Key,
        a.Value,
      ]),
    );
    expect(attributes).toMatchObject({
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'access_logs.s3.enabled': 'true',
      'deletion_protection.enabled': String(profile.database.deletionProtection),
    });
    expect(JSON.stringify(attributes['access_logs.s3.bucket'])).toContain('AccessLogsBucket');
  });

  it('sends /api and /api/* to the api and everything else to web', () => {
    const forwardListener = listeners().find(([, l]) =>
      JSON.stringify(l.Properties?.DefaultActions).includes('forward'),
    )!;
    expect(forwardListener[1].Properties?.DefaultActions).toEqual([
      {
        Type: 'forward',
        TargetGroupArn: { Ref: expect.stringMatching(/^LoadBalancerWebTargets/) as unknown },
      },
    ]);
    services.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: forwardListener[0] },
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api', '/api/*'] } }],
      Actions: [
        {
          Type: 'forward',
          TargetGroupArn: { Ref: Match.stringLikeRegexp('^LoadBalancerApiTargets') },
        },
      ],
    });
  });

  it.each([
    ['Api', 5000],
    ['Web', 8080],
  ] as const)(
    '%s target group: fast /healthz checks and a 15 s deregistration delay',
    (prefix, port) => {
      const [, tg] = Object.entries(
        resourcesOf(services, 'AWS::ElasticLoadBalancingV2::TargetGroup'),
      ).find(([id]) => id.startsWith(`LoadBalancer${prefix}Targets`))!;
      expect(tg.Properties).toMatchObject({
        Port: port,
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        Matcher: { HttpCode: '200' },
      });
      expect(tg.Properties?.TargetGroupAttributes).toContainEqual({
        Key: 'deregistration_delay.timeout_seconds',
        Value: '15',
      });
    },
  );

  if (profile.domain) {
    it('serves HTTPS with a DNS-validated ACM certificate and redirects HTTP', () => {
      services.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: profile.domain!.name,
        ValidationMethod: 'DNS',
        DomainValidationOptions: [
          { DomainName: profile.domain!.name, HostedZoneId: profile.domain!.hostedZoneId },
        ],
      });
      const byPort = Object.fromEntries(
        listeners().map(([, l]) => [l.Properties?.Port as number, l.Properties!]),
      );
      expect(Object.keys(byPort).sort()).toEqual(['443', '80']);
      expect(byPort[443]).toMatchObject({
        Protocol: 'HTTPS',
        SslPolicy: expect.stringMatching(/^ELBSecurityPolicy-TLS13/) as unknown,
      });
      expect(byPort[80]!.DefaultActions).toEqual([
        {
          Type: 'redirect',
          RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
        },
      ]);
      services.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${profile.domain!.name}.`,
        Type: 'A',
      });
    });
  } else {
    it('serves plain HTTP on port 80 when the profile names no domain', () => {
      const all = listeners();
      expect(all).toHaveLength(1);
      expect(all[0]![1].Properties).toMatchObject({ Port: 80, Protocol: 'HTTP' });
      services.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    });
  }

  if (profile.waf) {
    it('puts AWS WAF in front: common rule set, known bad inputs, per-IP rate limit', () => {
      services.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: [
          Match.objectLike({
            Name: 'RateLimitPerIp',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: { Limit: profile.wafRateLimitPer5Min, AggregateKeyType: 'IP' },
            },
          }),
          Match.objectLike({
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
              },
            },
          }),
          Match.objectLike({
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesKnownBadInputsRuleSet',
              },
            },
          }),
        ],
      });
      services.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        ResourceArn: { Ref: Match.stringLikeRegexp('^LoadBalancerAlb') },
      });
    });
  } else {
    it('has no WAF (dev profile: cost)', () => {
      services.resourceCountIs('AWS::WAFv2::WebACL', 0);
    });
  }
});
