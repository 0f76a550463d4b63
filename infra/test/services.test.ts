import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOf, templates, VARIANTS, type Variant } from './templates.ts';

interface Container {
  Name: string;
  Environment?: { Name: string; Value: string }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  [key: string]: unknown;
}

describe.each(['dev', 'prod'] as Variant[])('container platform (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const { services } = templates(variant);
  const taskDefs = resourcesOf(services, 'AWS::ECS::TaskDefinition');
  const task = (prefix: 'Api' | 'Web') =>
    Object.entries(taskDefs).find(([id]) => id.startsWith(`${prefix}Task`))![1];
  const container = (prefix: 'Api' | 'Web') =>
    (task(prefix).Properties?.ContainerDefinitions as Container[])[0]!;

  it('runs an ECS cluster with Container Insights', () => {
    services.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it.each([
    ['Api', 'api', 5000],
    ['Web', 'web', 8080],
  ] as const)(
    '%s: Fargate, ≥ 2 tasks in the private subnets without public IPs, safe rolling deploys',
    (prefix, key, port) => {
      const sizing = profile[key];
      services.hasResourceProperties('AWS::ECS::Service', {
        TaskDefinition: { Ref: Match.stringLikeRegexp(`^${prefix}Task`) },
        LaunchType: 'FARGATE',
        DesiredCount: sizing.minTasks,
        NetworkConfiguration: {
          AwsvpcConfiguration: Match.objectLike({
            AssignPublicIp: 'DISABLED',
            Subnets: Match.arrayWith([
              Match.objectLike({
                'Fn::GetStackOutput': Match.objectLike({
                  OutputName: Match.stringLikeRegexp('appSubnet'),
                }),
              }),
            ]),
          }),
        },
        DeploymentConfiguration: {
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
        },
        HealthCheckGracePeriodSeconds: prefix === 'Api' ? 60 : 30,
        LoadBalancers: [Match.objectLike({ ContainerPort: port })],
      });
      expect(sizing.minTasks).toBeGreaterThanOrEqual(2);
      const subnets = Object.values(resourcesOf(services, 'AWS::ECS::Service')).map(
        (s) =>
          (s.Properties?.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: unknown[] } })
            .AwsvpcConfiguration.Subnets,
      );
      for (const list of subnets) expect(list).toHaveLength(profile.availabilityZones.length);
    },
  );

  it.each([
    ['Api', 'api', '1000:1000'],
    ['Web', 'web', '101:101'],
  ] as const)(
    '%s: task size from the profile, non-root, read-only root file system, 30 s stop timeout',
    (prefix, key, user) => {
      expect(task(prefix).Properties).toMatchObject({
        Cpu: String(profile[key].cpu),
        Memory: String(profile[key].memoryMiB),
        RequiresCompatibilities: ['FARGATE'],
      });
      expect(container(prefix)).toMatchObject({
        User: user,
        ReadonlyRootFilesystem: true,
        StopTimeout: 30,
        HealthCheck: expect.objectContaining({ Interval: 15, Retries: 3, Timeout: 5 }) as unknown,
      });
    },
  );

  it.each(['Api', 'Web'] as const)(
    '%s: logs to its own log group with retention, non-blocking',
    (prefix) => {
      expect(container(prefix).LogConfiguration).toMatchObject({
        LogDriver: 'awslogs',
        Options: {
          'awslogs-group': { Ref: expect.stringMatching(new RegExp(`^${prefix}Logs`)) as unknown },
          mode: 'non-blocking',
        },
      });
      const group = Object.entries(resourcesOf(services, 'AWS::Logs::LogGroup')).find(([id]) =>
        id.startsWith(`${prefix}Logs`),
      )![1];
      expect(group.Properties?.RetentionInDays).toBe(profile.logRetentionDays);
    },
  );

  it('gives the api its database credentials as Secrets Manager secrets, never as plain environment', () => {
    const api = container('Api');
    const secretKeys = Object.fromEntries(
      (api.Secrets ?? []).map((s) => [
        s.Name,
        JSON.stringify(s.ValueFrom).match(/:(\w+)::"\]\]\}$/)?.[1],
      ]),
    );
    expect(secretKeys).toEqual({
      DB_HOST: 'host',
      DB_PORT: 'port',
      DB_USER: 'username',
      DB_PASSWORD: 'password',
      DB_NAME: 'dbname',
    });
    for (const s of api.Secrets ?? []) {
      expect(JSON.stringify(s.ValueFrom)).toContain('DatabaseSecret');
    }
    const env = Object.fromEntries((api.Environment ?? []).map((e) => [e.Name, e.Value]));
    expect(env).toEqual({
      PORT: '5000',
      DB_SSL: 'verify-full',
      DB_CA_FILE: '/app/certs/rds-global-bundle.pem',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: 'false', // the migration task runs before the services update
      TRUST_PROXY_HOPS: '1', // the ALB, and nothing beyond it
    });
    expect(Object.keys(env).some((k) => /PASSWORD|SECRET|DATABASE_URL/.test(k))).toBe(false);
    expect(container('Web').Secrets).toBeUndefined();
  });

  it.each(['Api', 'Web'] as const)(
    '%s: writable scratch /tmp and the ECS Exec agent folders, nothing else',
    (prefix) => {
      const mounts = (container(prefix).MountPoints as { ContainerPath: string }[]).map(
        (m) => m.ContainerPath,
      );
      expect(mounts.sort()).toEqual(['/tmp', '/var/lib/amazon/ssm', '/var/log/amazon/ssm']);
    },
  );

  it('enables ECS Exec on both services and logs every session to its own log group', () => {
    const execServices = Object.values(resourcesOf(services, 'AWS::ECS::Service')).filter(
      (s) => s.Properties?.EnableExecuteCommand === true,
    );
    expect(execServices).toHaveLength(2);
    services.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: {
        ExecuteCommandConfiguration: {
          Logging: 'OVERRIDE',
          LogConfiguration: {
            CloudWatchLogGroupName: { Ref: Match.stringLikeRegexp('^ExecSessionLogs') },
          },
        },
      },
    });
    const group = Object.entries(resourcesOf(services, 'AWS::Logs::LogGroup')).find(([id]) =>
      id.startsWith('ExecSessionLogs'),
    )![1];
    expect(group.Properties?.RetentionInDays).toBe(profile.logRetentionDays);
  });

  it.each(['Api', 'Web'] as const)(
    '%s: a deploy is rolled back when its target 5xx rate or p99 alarm fires',
    (prefix) => {
      const service = Object.values(resourcesOf(services, 'AWS::ECS::Service')).find(
        (s) =>
          JSON.stringify(s.Properties?.TaskDefinition) ===
          JSON.stringify({
            Ref: Object.keys(taskDefs).find((id) => id.startsWith(`${prefix}Task`)),
          }),
      )!;
      const alarms = (
        service.Properties?.DeploymentConfiguration as {
          Alarms: { Enable: boolean; Rollback: boolean; AlarmNames: { Ref: string }[] };
        }
      ).Alarms;
      expect(alarms).toMatchObject({ Enable: true, Rollback: true });
      const names = alarms.AlarmNames.map(
        (ref) =>
          (
            resourcesOf(services, 'AWS::CloudWatch::Alarm')[ref.Ref]?.Properties as {
              AlarmName: string;
            }
          ).AlarmName,
      );
      expect(names.sort()).toEqual([
        `CloudTodo-${profile.name}-${prefix}P99Latency`,
        `CloudTodo-${profile.name}-${prefix}Target5xxRate`,
      ]);
    },
  );

  it('lets only the api task execution role read the database secret', () => {
    const policies = Object.entries(resourcesOf(services, 'AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p.Properties?.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    expect(policies.map(([id]) => id)).toEqual([
      expect.stringMatching(/^ApiTaskExecutionRoleDefaultPolicy/),
    ]);
  });

  it('redeploys the api when Secrets Manager has rotated its secret', () => {
    services.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: {
          eventName: ['RotationSucceeded'],
          additionalEventData: { SecretId: [Match.anyValue()] },
        },
      },
      Targets: [
        Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^RotationRedeployStateMachine') } }),
      ],
    });
    const machine = Object.values(resourcesOf(services, 'AWS::StepFunctions::StateMachine'))[0]!;
    const definition = JSON.stringify(machine.Properties?.DefinitionString);
    expect(definition).toContain('aws-sdk:ecs:updateService');
    expect(definition).toContain('ForceNewDeployment');
    services.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ecs:UpdateService',
            Resource: { Ref: Match.stringLikeRegexp('^ApiService') },
          }),
        ]),
      },
    });
  });
});
