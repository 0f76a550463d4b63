import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { THRESHOLDS } from '../src/alarm-thresholds.ts';
import { LOG_QUERIES } from '../src/constructs/log-queries.ts';
import { resourcesOf, templates, VARIANTS, type Variant } from './templates.ts';

interface AlarmProps {
  AlarmName: string;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  AlarmActions: unknown[];
  MetricName?: string;
  Namespace?: string;
  Metrics?: {
    Expression?: string;
    MetricStat?: { Metric: { MetricName: string; Namespace: string } };
  }[];
}

describe.each(['dev', 'prod', 'https'] as Variant[])('monitoring (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const { services } = templates(variant);
  const alarms = Object.values(resourcesOf(services, 'AWS::CloudWatch::Alarm')).map(
    (a) => a.Properties as unknown as AlarmProps,
  );
  const alarm = (suffix: string) => {
    const found = alarms.filter((a) => a.AlarmName === `CloudTodo-${profile.name}-${suffix}`);
    expect(found, suffix).toHaveLength(1);
    return found[0]!;
  };
  const metricsOf = (a: AlarmProps) =>
    a.MetricName
      ? [a.MetricName]
      : (a.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []));

  it('has one encrypted, TLS-only SNS topic with the profile’s e-mail subscriptions', () => {
    services.resourceCountIs('AWS::SNS::Topic', 1);
    services.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsKey'), 'Arn'] },
    });
    services.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    services.resourceCountIs('AWS::SNS::Subscription', profile.alarmEmails.length);
    for (const email of profile.alarmEmails) {
      services.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
      });
    }
  });

  it('lets CloudWatch and EventBridge use the topic’s key', () => {
    const key = Object.entries(resourcesOf(services, 'AWS::KMS::Key')).find(([id]) =>
      id.startsWith('AlarmsKey'),
    )![1];
    const policy = JSON.stringify(key.Properties?.KeyPolicy);
    expect(policy).toContain('cloudwatch.amazonaws.com');
    expect(policy).toContain('events.amazonaws.com');
    expect(key.Properties?.EnableKeyRotation).toBe(true);
  });

  it('sends every alarm to the topic', () => {
    expect(alarms.length).toBe(19);
    for (const a of alarms) {
      expect(a.AlarmActions, a.AlarmName).toEqual([
        { Ref: expect.stringMatching(/^AlarmsTopic/) as unknown },
      ]);
    }
  });

  it('alarms on the ALB 5xx rate (the library has no such alarm)', () => {
    const a = alarm('AlbElb5xxRate');
    expect(a).toMatchObject({
      Threshold: THRESHOLDS.albElb5xxPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    });
    expect(metricsOf(a).sort()).toEqual(['HTTPCode_ELB_5XX_Count', 'RequestCount']);
    expect(a.Metrics?.find((m) => m.Expression)?.Expression).toContain(
      `>= ${THRESHOLDS.minRequestsPerMinute}`,
    );
  });

  it.each(['Api', 'Web'] as const)(
    'alarms on %s target 5xx rate, p99 latency, missing tasks',
    (prefix) => {
      const t5xx = alarm(`${prefix}Target5xxRate`);
      expect(t5xx.Threshold).toBe(THRESHOLDS.target5xxPercent);
      expect(metricsOf(t5xx).sort()).toEqual(['HTTPCode_Target_5XX_Count', 'RequestCount']);
      const p99 = alarm(`${prefix}P99Latency`);
      expect(p99).toMatchObject({
        MetricName: 'TargetResponseTime',
        ExtendedStatistic: 'p99',
        Threshold: prefix === 'Api' ? THRESHOLDS.apiP99Seconds : THRESHOLDS.webP99Seconds,
      });
      const missing = alarm(`${prefix}TasksBelowDesired`);
      expect(missing).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
      });
      expect(metricsOf(missing).sort()).toEqual(['DesiredTaskCount', 'RunningTaskCount']);
    },
  );

  it.each(['api', 'web'] as const)(
    'alarms on %s CPU, memory and unhealthy hosts (cdk-monitoring-constructs)',
    (name) => {
      const cpu = alarm(`${name}-CPU-Usage-Critical`);
      expect(cpu).toMatchObject({
        Threshold: THRESHOLDS.serviceCpuPercent,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(metricsOf(cpu)).toEqual(['CPUUtilization']);
      const memory = alarm(`${name}-Memory-Usage-Critical`);
      expect(memory).toMatchObject({
        Threshold: THRESHOLDS.serviceMemoryPercent,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(metricsOf(memory)).toEqual(['MemoryUtilization']);
      const unhealthy = alarm(`${name}-Unhealthy-Tasks-Critical`);
      expect(unhealthy).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(metricsOf(unhealthy)).toContain('UnHealthyHostCount');
    },
  );

  it('alarms on the database: CPU, free storage, freeable memory, connections', () => {
    const cpu = alarm('database-CPU-Usage-Critical');
    expect(cpu).toMatchObject({
      Threshold: THRESHOLDS.databaseCpuPercent,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(metricsOf(cpu)).toEqual(['CPUUtilization']);
    expect(JSON.stringify(cpu.Metrics)).toContain('AWS/RDS');
    const storage = alarm('database-Min-Usage-Count-Critical');
    expect(storage).toMatchObject({
      Threshold: THRESHOLDS.databaseFreeStorageBytes,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(metricsOf(storage)).toEqual(['FreeStorageSpace']);
    expect(alarm('DatabaseFreeableMemory')).toMatchObject({
      Threshold: Math.round(
        profile.database.instanceMemoryMiB *
          1024 *
          1024 *
          THRESHOLDS.databaseFreeableMemoryFraction,
      ),
      ComparisonOperator: 'LessThanThreshold',
      MetricName: 'FreeableMemory',
    });
    expect(alarm('DatabaseConnections')).toMatchObject({
      Threshold: profile.database.maxConnectionsAlarm,
      MetricName: 'DatabaseConnections',
      Statistic: 'Maximum',
    });
  });

  it('alarms on backup job failures and on the API’s error-log rate', () => {
    expect(alarm('BackupJobFailed')).toMatchObject({
      Namespace: 'AWS/Backup',
      MetricName: 'NumberOfBackupJobsFailed',
      Threshold: 1,
    });
    expect(alarm('ApiErrorLogRate')).toMatchObject({
      Namespace: `CloudTodo/${profile.name}`,
      MetricName: 'ApiErrorLogs',
      Threshold: THRESHOLDS.apiErrorLogsPer5Min,
    });
    services.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^ApiLogs') },
      FilterPattern: '{ $.level >= 50 }',
      MetricTransformations: [
        Match.objectLike({ MetricName: 'ApiErrorLogs', MetricValue: '1', DefaultValue: 0 }),
      ],
    });
  });

  it('saves the Logs Insights queries for the api log group', () => {
    const queries = Object.values(resourcesOf(services, 'AWS::Logs::QueryDefinition')).map(
      (q) => q.Properties as { Name: string; QueryString: string; LogGroupNames: unknown[] },
    );
    expect(queries.map((q) => q.Name).sort()).toEqual(
      Object.keys(LOG_QUERIES)
        .map((name) => `CloudTodo-${profile.name}/api/${name}`)
        .sort(),
    );
    const byName = (name: string) => queries.find((q) => q.Name.endsWith(`/${name}`))!.QueryString;
    expect(byName('errors-by-request-id')).toMatch(/filter level >= 50/);
    expect(byName('errors-by-request-id')).toContain('reqId');
    expect(byName('slowest-requests')).toMatch(/sort responseTime desc/);
    expect(byName('5xx-by-route')).toMatch(/stats count\(\*\) as answers by route, statusCode/);
    expect(byName('requests-of-one-trace')).toMatch(/filter traceId like/);
    for (const q of queries) {
      expect(q.LogGroupNames).toEqual([{ Ref: expect.stringMatching(/^ApiLogs/) as unknown }]);
    }
  });

  it('has one dashboard with the services and the database', () => {
    services.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const dashboard = Object.values(resourcesOf(services, 'AWS::CloudWatch::Dashboard'))[0]!;
    expect(dashboard.Properties?.DashboardName).toBe(`CloudTodo-${profile.name}`);
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    for (const metric of [
      'RequestCount',
      'HTTPCode_Target_5XX_Count',
      'TargetResponseTime',
      'CPUUtilization',
      'MemoryUtilization',
      'RunningTaskCount',
      'DatabaseConnections',
      'FreeStorageSpace',
      'FreeableMemory',
    ]) {
      expect(body, metric).toContain(metric);
    }
    for (const service of ['api', 'web']) {
      for (const title of ['requests / min', '5xx / min', 'response time (s)'])
        expect(body).toContain(`${service}: ${title}`);
    }
  });

  it('outputs the app URL, the dashboard link and the log groups', () => {
    const outputs = services.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['AppUrl', 'DashboardUrl', 'ApiLogGroup', 'WebLogGroup']),
    );
    expect(JSON.stringify(outputs.AppUrl!.Value)).toContain(
      profile.domain ? `https://${profile.domain.name}` : 'http://',
    );
    expect(outputs.DashboardUrl!.Value).toBe(
      `https://${profile.region}.console.aws.amazon.com/cloudwatch/home?region=${profile.region}#dashboards:name=CloudTodo-${profile.name}`,
    );
  });
});
