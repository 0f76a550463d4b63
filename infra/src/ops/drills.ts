import {
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
  type CloudWatchClient,
} from '@aws-sdk/client-cloudwatch';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeDBInstancesCommand,
  RebootDBInstanceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { isProfileName, PROFILES, type Profile, type ProfileName } from '../profile.ts';
import { SERVICE_OUTPUTS, STATEFUL_OUTPUTS, stackNames } from '../stack-outputs.ts';
import { formatDuration, OperationError, pollUntil, type Clock } from './operation-error.ts';
import { readStackOutputs } from './stack-outputs-reader.ts';

/**
 * `npm run drill -w infra -- <profile> <failover|alarm|scale> [--dry-run]`: the operations the
 * course practises by hand, as commands that measure their result. Each probe is bounded in
 * requests and time; the plain functions take the SDK clients and `fetch`, so tests run them
 * against mocks.
 */

export const DRILLS = ['failover', 'alarm', 'scale'] as const;
export type Drill = (typeof DRILLS)[number];

export const DRILL_USAGE =
  'usage: npm run drill -w infra -- <dev|course|prod> <failover|alarm|scale> [--dry-run]';

export interface DrillOptions {
  readonly profileName: ProfileName;
  readonly drill: Drill;
  readonly dryRun: boolean;
}

export function parseDrillArgs(argv: readonly string[]): DrillOptions {
  const fail = (message: string): never => {
    throw new OperationError(`${message}\n${DRILL_USAGE}`);
  };
  const [profileName, drill, ...rest] = argv;
  if (!profileName || !isProfileName(profileName)) {
    fail(`unknown profile "${profileName ?? ''}" (${Object.keys(PROFILES).join(', ')})`);
  }
  if (!DRILLS.includes(drill as Drill)) fail(`unknown drill "${drill ?? ''}"`);
  const unknown = rest.filter((a) => a !== '--dry-run');
  if (unknown.length > 0) fail(`unknown argument "${unknown[0]}"`);
  return {
    profileName: profileName as ProfileName,
    drill: drill as Drill,
    dryRun: rest.includes('--dry-run'),
  };
}

/** Bounds of the probes: never more requests or time than these. */
export const LIMITS = {
  failover: { probeIntervalMs: 1000, maxMinutes: 15 },
  alarm: { maxMinutes: 5 },
  scale: { maxRequestsPerSecond: 100, minutes: 8, concurrency: 20 },
} as const;

/**
 * The scale drill's request rate: 1.5 × what the api's minimum tasks take before the
 * requests-per-target policy scales out, within the bound.
 */
export function scaleRate(profile: Profile): number {
  const threshold = (profile.api.minTasks * profile.api.requestsPerTargetPerMinute) / 60;
  return Math.min(LIMITS.scale.maxRequestsPerSecond, Math.ceil(threshold * 1.5));
}

/** The alarm the alarm drill drives: one whose ALARM state is harmless to fake. */
export function drillAlarmName(profile: Profile): string {
  return `CloudTodo-${profile.name}-BackupJobFailed`;
}

export function drillPlan(options: DrillOptions): string[] {
  const profile = PROFILES[options.profileName];
  const stacks = stackNames(profile.name);
  switch (options.drill) {
    case 'failover':
      return [
        `Failover drill for profile ${profile.name}:`,
        `1. Read ${stacks.stateful}.${STATEFUL_OUTPUTS.databaseInstanceId} and ${stacks.services}.${SERVICE_OUTPUTS.appUrl}.`,
        `2. Create a list through the app (POST /api/lists), then probe GET /api/lists/<id>/todos once a second.`,
        `3. Reboot the database with forced failover (RDS RebootDBInstance, ForceFailover); refused unless Multi-AZ (${profile.database.multiAz ? 'it is' : 'it is not'}).`,
        `4. Probe until the instance is available again and 30 probes in a row succeed (at most ${LIMITS.failover.maxMinutes} minutes).`,
        `5. Print the error window (first to last failed probe), failed/total probes, and the time to available.`,
      ];
    case 'alarm':
      return [
        `Alarm drill for profile ${profile.name}:`,
        `1. Set ${drillAlarmName(profile)} to ALARM (CloudWatch SetAlarmState; it returns to its real state at the next evaluation).`,
        `2. Wait for the alarm's action history (at most ${LIMITS.alarm.maxMinutes} minutes): "Successfully executed action" on ${stacks.services}.${SERVICE_OUTPUTS.alarmTopicArn} proves CloudWatch may publish to the topic.`,
        `3. Print the time from the state change to the action; the e-mail itself is for the subscribers to confirm.`,
      ];
    case 'scale':
      return [
        `Scale drill for profile ${profile.name}:`,
        `1. Read ${stacks.services}.${SERVICE_OUTPUTS.appUrl}, ${stacks.services}.${SERVICE_OUTPUTS.clusterName} and ${stacks.services}.${SERVICE_OUTPUTS.apiServiceName}.`,
        `2. Send GET /api/lists/<id>/todos at ${scaleRate(profile)} requests/s for ${LIMITS.scale.minutes} minutes at most (${scaleRate(profile) * 60 * LIMITS.scale.minutes} requests), ${LIMITS.scale.concurrency} at a time; the api's ${profile.api.minTasks} tasks scale out above ${profile.api.requestsPerTargetPerMinute} requests per task per minute.`,
        `3. Poll the api service's desired count every 15 s; stop early once it has grown.`,
        `4. Print the time to the first scale-out, the largest desired count, and the answers by status.`,
        profile.waf
          ? `   This profile has WAF with ${profile.wafRateLimitPer5Min} requests / 5 min per IP: the drill's rate would be blocked (403). Raise wafRateLimitPer5Min above ${scaleRate(profile) * 300} for the drill, or drill the course or dev profile.`
          : `   No WAF in this profile; the api's own limit (RATE_LIMIT_MAX, 600 / min per client per task) answers 429 beyond it, which the ALB still counts as requests.`,
      ];
  }
}

export interface DrillClients {
  readonly rds: RDSClient;
  readonly ecs: ECSClient;
  readonly cloudWatch: CloudWatchClient;
  readonly cloudFormation: CloudFormationClient;
}

export interface DrillRun {
  readonly options: DrillOptions;
  readonly clients: DrillClients;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly fetch: typeof fetch;
}

/** The result line each drill prints, and the measured figures. */
export interface DrillResult {
  readonly summary: string;
  readonly figures: Readonly<Record<string, number>>;
}

async function createList(run: DrillRun, appUrl: string): Promise<string> {
  const response = await run.fetch(`${appUrl}/api/lists`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'drill' }),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new OperationError(
      `the app did not create a list (HTTP ${response.status}) at ${appUrl}`,
    );
  }
  const body = (await response.json()) as { todosUrl?: string };
  if (!body.todosUrl) throw new OperationError('the app answered a list without todosUrl');
  return body.todosUrl;
}

async function probe(run: DrillRun, url: string): Promise<number> {
  try {
    const response = await run.fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0; // no answer: timeout or connection error
  }
}

export async function failoverDrill(run: DrillRun): Promise<DrillResult> {
  const { clients, clock, log } = run;
  const profile = PROFILES[run.options.profileName];
  if (!profile.database.multiAz) {
    throw new OperationError(
      `profile ${profile.name} runs a single-AZ database: a forced failover needs Multi-AZ (use course or prod)`,
    );
  }
  const stacks = stackNames(profile.name);
  const { DatabaseInstanceId: db } = await readStackOutputs(
    clients.cloudFormation,
    stacks.stateful,
    [STATEFUL_OUTPUTS.databaseInstanceId],
  );
  const { AppUrl: appUrl } = await readStackOutputs(clients.cloudFormation, stacks.services, [
    SERVICE_OUTPUTS.appUrl,
  ]);
  const todosUrl = await createList(run, appUrl);
  await clients.rds.send(
    new RebootDBInstanceCommand({ DBInstanceIdentifier: db, ForceFailover: true }),
  );
  const started = clock.now();
  log(`failover: rebooting ${db} with failover; probing ${todosUrl} once a second`);
  let probes = 0;
  let failed = 0;
  let firstFailure: number | undefined;
  let lastFailure: number | undefined;
  let successesInRow = 0;
  let availableAt: number | undefined;
  await pollUntil(
    'the database to fail over and the app to answer again',
    async () => {
      const status = await probe(run, todosUrl);
      const now = clock.now();
      probes++;
      if (status >= 200 && status < 300) successesInRow++;
      else {
        failed++;
        successesInRow = 0;
        firstFailure ??= now;
        lastFailure = now;
        log(`   ${formatDuration(now - started)}: HTTP ${status || 'no answer'}`);
      }
      if (availableAt === undefined && probes % 5 === 0) {
        const answer = await clients.rds.send(
          new DescribeDBInstancesCommand({ DBInstanceIdentifier: db }),
        );
        const state = answer.DBInstances?.[0]?.DBInstanceStatus;
        log(`   ${formatDuration(now - started)}: ${db} is ${state ?? '?'}`);
        if (state === 'available' && now - started > 30_000) availableAt = now;
      }
      return availableAt !== undefined && successesInRow >= 30 ? true : undefined;
    },
    {
      clock,
      intervalMs: LIMITS.failover.probeIntervalMs,
      timeoutMs: LIMITS.failover.maxMinutes * 60_000,
    },
  );
  const windowMs =
    firstFailure === undefined ? 0 : lastFailure! - firstFailure + LIMITS.failover.probeIntervalMs;
  return {
    summary: `failover: error window ${formatDuration(windowMs)} (${failed} of ${probes} probes failed); database available again after ${formatDuration(availableAt! - started)}`,
    figures: { windowMs, failed, probes, availableAfterMs: availableAt! - started },
  };
}

export async function alarmDrill(run: DrillRun): Promise<DrillResult> {
  const { clients, clock, log } = run;
  const profile = PROFILES[run.options.profileName];
  const alarmName = drillAlarmName(profile);
  const { AlarmTopicArn: topic } = await readStackOutputs(
    clients.cloudFormation,
    stackNames(profile.name).services,
    [SERVICE_OUTPUTS.alarmTopicArn],
  );
  const started = clock.now();
  await clients.cloudWatch.send(
    new SetAlarmStateCommand({
      AlarmName: alarmName,
      StateValue: 'ALARM',
      StateReason: 'alarm drill (npm run drill): the notification path is being tested',
    }),
  );
  log(`alarm: ${alarmName} set to ALARM; waiting for its action on ${topic}`);
  const summary = await pollUntil(
    `the action of ${alarmName}`,
    async () => {
      const history = await clients.cloudWatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: alarmName,
          HistoryItemType: 'Action',
          StartDate: new Date(started - 60_000),
        }),
      );
      return history.AlarmHistoryItems?.find((item) => item.HistorySummary)?.HistorySummary;
    },
    { clock, intervalMs: 5000, timeoutMs: LIMITS.alarm.maxMinutes * 60_000 },
  );
  const ms = clock.now() - started;
  if (!summary.startsWith('Successfully executed action')) {
    throw new OperationError(
      `the alarm's action failed: ${summary} (check the topic policy and its KMS key)`,
    );
  }
  return {
    summary: `alarm: CloudWatch published to the alarm topic ${formatDuration(ms)} after the state change ("${summary}"); the subscribers should now have the e-mail`,
    figures: { actionAfterMs: ms },
  };
}

export async function scaleDrill(run: DrillRun): Promise<DrillResult> {
  const { clients, clock, log } = run;
  const profile = PROFILES[run.options.profileName];
  const outputs = await readStackOutputs(
    clients.cloudFormation,
    stackNames(profile.name).services,
    [SERVICE_OUTPUTS.appUrl, SERVICE_OUTPUTS.clusterName, SERVICE_OUTPUTS.apiServiceName],
  );
  const desiredCount = async () => {
    const answer = await clients.ecs.send(
      new DescribeServicesCommand({
        cluster: outputs.ClusterName,
        services: [outputs.ApiServiceName],
      }),
    );
    return answer.services?.[0]?.desiredCount ?? 0;
  };
  const todosUrl = await createList(run, outputs.AppUrl);
  const initial = await desiredCount();
  let largest = initial;
  let scaledAt: number | undefined;
  const statuses = new Map<number, number>();
  const started = clock.now();
  const { minutes, concurrency } = LIMITS.scale;
  const requestsPerSecond = scaleRate(profile);
  const deadline = started + minutes * 60_000;
  let nextPoll = started;
  log(`scale: ${requestsPerSecond} requests/s to ${todosUrl}; the api runs ${initial} tasks`);
  while (clock.now() < deadline && scaledAt === undefined) {
    const secondStart = clock.now();
    for (let sent = 0; sent < requestsPerSecond; sent += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, requestsPerSecond - sent) }, () =>
        probe(run, todosUrl),
      );
      for (const status of await Promise.all(batch))
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    if (clock.now() >= nextPoll) {
      const desired = await desiredCount();
      largest = Math.max(largest, desired);
      log(`   ${formatDuration(clock.now() - started)}: desired ${desired} tasks`);
      if (desired > initial) scaledAt = clock.now();
      nextPoll = clock.now() + 15_000;
    }
    if ((statuses.get(403) ?? 0) > requestsPerSecond * 10) {
      throw new OperationError(
        'the firewall blocks the drill (HTTP 403): raise wafRateLimitPer5Min for it, or drill a profile without WAF',
      );
    }
    await clock.sleep(Math.max(0, 1000 - (clock.now() - secondStart)));
  }
  const answers = [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s || 'no answer'}: ${n}`);
  const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
  if (scaledAt === undefined) {
    return {
      summary: `scale: no scale-out within ${minutes} minutes (${requests} requests; ${answers.join(', ')}); the api stayed at ${initial} tasks`,
      figures: { requests, initial, largest },
    };
  }
  return {
    summary: `scale: the api scaled out from ${initial} to ${largest} tasks ${formatDuration(scaledAt - started)} after the load began (${requests} requests; ${answers.join(', ')})`,
    figures: { requests, initial, largest, scaleOutAfterMs: scaledAt - started },
  };
}

export function runDrill(run: DrillRun): Promise<DrillResult> {
  switch (run.options.drill) {
    case 'failover':
      return failoverDrill(run);
    case 'alarm':
      return alarmDrill(run);
    case 'scale':
      return scaleDrill(run);
  }
}
