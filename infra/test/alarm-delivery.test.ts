import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DATABASE_EVENT_CATEGORIES } from '../src/constructs/database-events.ts';
import { evaluate, resolve, type PolicyRequest } from './iam-policy-evaluation.ts';
import { resourcesOf, templates, VARIANTS, type Variant } from './templates.ts';

/**
 * Whether a notification can reach the topic at all: the synthesized topic and key policies,
 * evaluated with IAM's logic for the requests CloudWatch, RDS and EventBridge make when they
 * publish (not just "a statement exists").
 */
describe.each(['dev', 'course', 'prod', 'https'] as Variant[])('alarm delivery (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const { account, region } = profile;
  const { services } = templates(variant);
  const [topicId] = Object.keys(resourcesOf(services, 'AWS::SNS::Topic'));
  const topicArn = `arn:aws:sns:${region}:${account}:CloudTodo-${profile.name}-alarms`;
  const refs = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': account,
    'AWS::Region': region,
    [topicId!]: topicArn,
  };
  const topicPolicies = Object.values(resourcesOf(services, 'AWS::SNS::TopicPolicy'));
  const topicPolicy = resolve(topicPolicies[0]?.Properties?.PolicyDocument, refs) as Parameters<
    typeof evaluate
  >[0];
  const alarmNames = Object.values(resourcesOf(services, 'AWS::CloudWatch::Alarm')).map(
    (a) => (a.Properties as { AlarmName: string }).AlarmName,
  );

  const publish = (
    service: string,
    sourceArn: string,
    overrides: Partial<Record<string, string>> = {},
  ): PolicyRequest => ({
    principal: { service },
    action: 'sns:Publish',
    resource: topicArn,
    context: {
      'aws:SecureTransport': 'true',
      'aws:SourceAccount': account,
      'aws:SourceArn': sourceArn,
      ...overrides,
    },
  });
  const alarmArn = (name: string, inAccount = account) =>
    `arn:aws:cloudwatch:${region}:${inAccount}:alarm:${name}`;

  it('has exactly one topic and one topic policy', () => {
    expect(topicId).toBeDefined();
    expect(topicPolicies).toHaveLength(1);
    expect(alarmNames.length).toBeGreaterThan(0);
  });

  it('lets CloudWatch publish for every alarm of the stack', () => {
    for (const name of alarmNames) {
      expect(evaluate(topicPolicy, publish('cloudwatch.amazonaws.com', alarmArn(name))), name).toBe(
        'allow',
      );
    }
  });

  it('refuses CloudWatch for alarms of another account or outside the profile’s prefix', () => {
    const name = alarmNames[0]!;
    expect(
      evaluate(
        topicPolicy,
        publish('cloudwatch.amazonaws.com', alarmArn(name, '999999999999'), {
          'aws:SourceAccount': '999999999999',
        }),
      ),
    ).toBe('implicit-deny');
    expect(
      evaluate(topicPolicy, publish('cloudwatch.amazonaws.com', alarmArn('SomeoneElses-alarm'))),
    ).toBe('implicit-deny');
  });

  it('denies publishing without TLS, even to CloudWatch', () => {
    expect(
      evaluate(
        topicPolicy,
        publish('cloudwatch.amazonaws.com', alarmArn(alarmNames[0]!), {
          'aws:SecureTransport': 'false',
        }),
      ),
    ).toBe('deny');
  });

  it('lets RDS event notifications and EventBridge rules of this account publish, no other’s', () => {
    const subscriptionArn = `arn:aws:rds:${region}:${account}:es:cloudtodo-db-events`;
    expect(evaluate(topicPolicy, publish('events.rds.amazonaws.com', subscriptionArn))).toBe(
      'allow',
    );
    expect(
      evaluate(
        topicPolicy,
        publish('events.rds.amazonaws.com', subscriptionArn.replace(account, '999999999999'), {
          'aws:SourceAccount': '999999999999',
        }),
      ),
    ).toBe('implicit-deny');
    const ruleArn = `arn:aws:events:${region}:${account}:rule/backup-failed`;
    expect(evaluate(topicPolicy, publish('events.amazonaws.com', ruleArn))).toBe('allow');
    const foreignRule = ruleArn.replace(account, '999999999999');
    expect(
      evaluate(
        topicPolicy,
        publish('events.amazonaws.com', foreignRule, { 'aws:SourceAccount': '999999999999' }),
      ),
    ).toBe('deny');
  });

  it('lets no other principal publish', () => {
    const request: PolicyRequest = {
      principal: { aws: `arn:aws:iam::${account}:root` },
      action: 'sns:Publish',
      resource: topicArn,
      context: { 'aws:SecureTransport': 'true' },
    };
    expect(evaluate(topicPolicy, request)).toBe('implicit-deny');
  });

  it('lets each publisher use the topic’s KMS key (a publish to an encrypted topic needs it)', () => {
    const [keyId, key] = Object.entries(resourcesOf(services, 'AWS::KMS::Key')).find(([id]) =>
      id.startsWith('AlarmsKey'),
    )!;
    const keyPolicy = resolve(key.Properties?.KeyPolicy, refs) as Parameters<typeof evaluate>[0];
    const keyArn = `arn:aws:kms:${region}:${account}:key/${keyId}`;
    for (const service of [
      'cloudwatch.amazonaws.com',
      'events.rds.amazonaws.com',
      'events.amazonaws.com',
    ]) {
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        expect(
          evaluate(keyPolicy, {
            principal: { service },
            action,
            resource: keyArn,
            context: {},
          }),
          `${service} ${action}`,
        ).toBe('allow');
      }
    }
  });

  it('subscribes the alarm topic to the database’s RDS events', () => {
    services.resourceCountIs('AWS::RDS::EventSubscription', 1);
    services.hasResourceProperties('AWS::RDS::EventSubscription', {
      Enabled: true,
      SourceType: 'db-instance',
      SnsTopicArn: { Ref: topicId },
      SourceIds: [
        {
          'Fn::GetStackOutput': Match.objectLike({
            StackName: `CloudTodo-${profile.name}-Stateful`,
            OutputName: Match.stringLikeRegexp('DatabaseInstance'),
          }),
        },
      ],
      EventCategories: [...DATABASE_EVENT_CATEGORIES],
    });
    for (const category of [
      'failover',
      'failure',
      'maintenance',
      'low storage',
      'configuration change',
    ])
      expect(DATABASE_EVENT_CATEGORIES).toContain(category);
  });
});
