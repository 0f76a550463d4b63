import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOf, templates, VARIANTS, type Variant } from './templates.ts';

describe.each(['dev', 'prod'] as Variant[])('scaling (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const { services } = templates(variant);

  it.each([
    ['Api', 'api'],
    ['Web', 'web'],
  ] as const)(
    '%s: min/max from the profile, target tracking on CPU and on requests per target',
    (prefix, key) => {
      const sizing = profile[key];
      const [targetId] = Object.entries(
        resourcesOf(services, 'AWS::ApplicationAutoScaling::ScalableTarget'),
      ).find(([id]) => id.startsWith(`${prefix}Service`))!;
      services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: sizing.minTasks,
        MaxCapacity: sizing.maxTasks,
        ScalableDimension: 'ecs:service:DesiredCount',
        ServiceNamespace: 'ecs',
        ResourceId: Match.objectLike({
          'Fn::Join': [
            '',
            Match.arrayWith([
              { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}Service`), 'Name'] },
            ]),
          ],
        }),
      });
      const policies = Object.values(
        resourcesOf(services, 'AWS::ApplicationAutoScaling::ScalingPolicy'),
      )
        .filter((p) => (p.Properties?.ScalingTargetId as { Ref: string }).Ref === targetId)
        .map(
          (p) => p.Properties?.TargetTrackingScalingPolicyConfiguration as Record<string, unknown>,
        );
      expect(policies).toHaveLength(2);
      const byMetric = Object.fromEntries(
        policies.map((p) => [
          (p.PredefinedMetricSpecification as { PredefinedMetricType: string })
            .PredefinedMetricType,
          p,
        ]),
      );
      expect(byMetric.ECSServiceAverageCPUUtilization).toMatchObject({
        TargetValue: sizing.cpuTargetPercent,
        ScaleOutCooldown: 60,
        ScaleInCooldown: 300,
      });
      expect(byMetric.ALBRequestCountPerTarget).toMatchObject({
        TargetValue: sizing.requestsPerTargetPerMinute,
        ScaleOutCooldown: 60,
        ScaleInCooldown: 300,
      });
      expect(JSON.stringify(byMetric.ALBRequestCountPerTarget)).toContain(
        `LoadBalancer${prefix}Targets`,
      );
    },
  );
});
