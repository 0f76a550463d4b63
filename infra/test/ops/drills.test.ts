import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeDBInstancesCommand,
  RDSClient,
  RebootDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  drillPlan,
  LIMITS,
  parseDrillArgs,
  runDrill,
  scaleRate,
  type DrillOptions,
} from '../../src/ops/drills.ts';
import type { Clock } from '../../src/ops/operation-error.ts';
import { PROFILES } from '../../src/profile.ts';

/**
 * The drills' call sequences, measurements and failure handling against mocked AWS SDK
 * clients (aws-sdk-client-mock) and a fake `fetch` on a fake clock: no request leaves the
 * process, and no test waits.
 */

const START = Date.parse('2026-05-01T10:00:00Z');
const APP = 'http://alb.example';
const TODOS = `${APP}/api/lists/abc/todos`;

function fakeClock() {
  let now = START;
  const clock: Clock = { now: () => now, sleep: (ms) => ((now += ms), Promise.resolve()) };
  return { clock, elapsed: () => now - START };
}

function setup(profileName: DrillOptions['profileName'], drill: DrillOptions['drill']) {
  const clients = {
    rds: new RDSClient({ region: 'us-east-1' }),
    ecs: new ECSClient({ region: 'us-east-1' }),
    cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  };
  const mocks = {
    rds: mockClient(clients.rds),
    ecs: mockClient(clients.ecs),
    cloudWatch: mockClient(clients.cloudWatch),
    cloudFormation: mockClient(clients.cloudFormation),
  };
  mocks.cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'x',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries({
          DatabaseInstanceId: 'db-1',
          AppUrl: APP,
          ClusterName: 'cluster',
          ApiServiceName: 'api',
          AlarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms',
        }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  const { clock, elapsed } = fakeClock();
  const requests: string[] = [];
  let answer: (url: string) => number = () => 200;
  const fakeFetch = ((url: string, init?: RequestInit) => {
    requests.push(`${init?.method ?? 'GET'} ${url}`);
    if (init?.method === 'POST') {
      return Promise.resolve(Response.json({ todosUrl: TODOS }, { status: 201 }));
    }
    const status = answer(url);
    return status === 0
      ? Promise.reject(new Error('connect ECONNREFUSED'))
      : Promise.resolve(new Response('[]', { status }));
  }) as typeof fetch;
  const lines: string[] = [];
  return {
    mocks,
    requests,
    elapsed,
    answerWith: (f: (url: string) => number) => (answer = f),
    run: () =>
      runDrill({
        options: parseDrillArgs([profileName, drill]),
        clients,
        clock,
        log: (l) => lines.push(l),
        fetch: fakeFetch,
      }),
  };
}

describe('drill command arguments and plans', () => {
  it('takes a profile, a drill and --dry-run', () => {
    expect(parseDrillArgs(['course', 'failover', '--dry-run'])).toEqual({
      profileName: 'course',
      drill: 'failover',
      dryRun: true,
    });
    expect(() => parseDrillArgs(['prod', 'panic'])).toThrow(/unknown drill "panic"/);
    expect(() => parseDrillArgs(['staging', 'alarm'])).toThrow(/unknown profile "staging"/);
    expect(() => parseDrillArgs(['prod', 'alarm', '--now'])).toThrow(/usage: npm run drill/);
  });

  it('sizes the scale drill above the scale-out threshold, within its bound', () => {
    for (const profile of Object.values(PROFILES)) {
      const threshold = (profile.api.minTasks * profile.api.requestsPerTargetPerMinute) / 60;
      expect(scaleRate(profile)).toBeGreaterThan(threshold);
      expect(scaleRate(profile)).toBeLessThanOrEqual(LIMITS.scale.maxRequestsPerSecond);
    }
    expect(drillPlan(parseDrillArgs(['prod', 'scale'])).join('\n')).toContain(
      'Raise wafRateLimitPer5Min above',
    );
  });
});

describe('drills against mocked AWS clients (aws-sdk-client-mock)', () => {
  it('failover: reboots with forced failover and measures the error window', async () => {
    const drill = setup('course', 'failover');
    drill.mocks.rds.on(RebootDBInstanceCommand).resolves({});
    drill.mocks.rds.on(DescribeDBInstancesCommand).callsFake(() => ({
      DBInstances: [{ DBInstanceStatus: drill.elapsed() < 60_000 ? 'rebooting' : 'available' }],
    }));
    // The database is away from 5 s to 40 s after the reboot: the api answers 503.
    drill.answerWith(() => (drill.elapsed() >= 5_000 && drill.elapsed() < 40_000 ? 503 : 200));
    const result = await drill.run();
    expect(drill.mocks.rds.commandCalls(RebootDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'db-1',
      ForceFailover: true,
    });
    expect(result.figures.windowMs).toBe(35_000);
    expect(result.figures.failed).toBe(35);
    // The instance state is read every 5th probe.
    expect(result.figures.availableAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(result.figures.availableAfterMs).toBeLessThan(65_000);
    expect(result.summary).toMatch(/error window 35 s \(35 of \d+ probes failed\)/);
    expect(drill.requests.filter((r) => r.startsWith('GET')).length).toBeLessThanOrEqual(
      LIMITS.failover.maxMinutes * 60,
    );
  });

  it('failover: refuses a single-AZ database before calling anything', async () => {
    const drill = setup('dev', 'failover');
    await expect(drill.run()).rejects.toThrow(
      /single-AZ database: a forced failover needs Multi-AZ/,
    );
    expect(drill.mocks.rds.commandCalls(RebootDBInstanceCommand)).toHaveLength(0);
    expect(drill.requests).toHaveLength(0);
  });

  it('alarm: sets the backup alarm to ALARM and reports when its action ran', async () => {
    const drill = setup('prod', 'alarm');
    drill.mocks.cloudWatch.on(SetAlarmStateCommand).resolves({});
    drill.mocks.cloudWatch
      .on(DescribeAlarmHistoryCommand)
      .resolvesOnce({ AlarmHistoryItems: [] })
      .resolves({
        AlarmHistoryItems: [
          {
            HistorySummary:
              'Successfully executed action arn:aws:sns:us-east-1:123456789012:alarms',
          },
        ],
      });
    const result = await drill.run();
    expect(
      drill.mocks.cloudWatch.commandCalls(SetAlarmStateCommand)[0]!.args[0].input,
    ).toMatchObject({
      AlarmName: 'CloudTodo-prod-BackupJobFailed',
      StateValue: 'ALARM',
    });
    expect(result.figures.actionAfterMs).toBe(5000);
    expect(result.summary).toContain('CloudWatch published to the alarm topic 5 s after');
  });

  it('alarm: fails when CloudWatch could not publish', async () => {
    const drill = setup('prod', 'alarm');
    drill.mocks.cloudWatch.on(SetAlarmStateCommand).resolves({});
    drill.mocks.cloudWatch.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        { HistorySummary: 'Failed to execute action arn:aws:sns:…: not authorized' },
      ],
    });
    await expect(drill.run()).rejects.toThrow(
      /the alarm's action failed: Failed to execute action/,
    );
  });

  it('scale: a bounded load until the api scales out, with the time it took', async () => {
    const drill = setup('course', 'scale');
    drill.mocks.ecs.on(DescribeServicesCommand).callsFake(() => ({
      services: [{ desiredCount: drill.elapsed() < 90_000 ? 2 : 4 }],
    }));
    const result = await drill.run();
    expect(result.figures).toMatchObject({ initial: 2, largest: 4 });
    expect(result.figures.scaleOutAfterMs).toBeGreaterThanOrEqual(90_000);
    expect(result.figures.scaleOutAfterMs).toBeLessThan(120_000);
    const rate = scaleRate(PROFILES.course);
    const gets = drill.requests.filter((r) => r === `GET ${TODOS}`).length;
    expect(gets).toBe(result.figures.requests);
    expect(gets).toBeLessThanOrEqual(rate * (result.figures.scaleOutAfterMs! / 1000 + 1));
    expect(result.summary).toMatch(/scaled out from 2 to 4 tasks/);
  });

  it('scale: stops when the firewall blocks it', async () => {
    const drill = setup('course', 'scale');
    drill.mocks.ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 2 }] });
    drill.answerWith(() => 403);
    await expect(drill.run()).rejects.toThrow(/the firewall blocks the drill \(HTTP 403\)/);
    expect(drill.requests.length).toBeLessThan(scaleRate(PROFILES.course) * 15);
  });
});
