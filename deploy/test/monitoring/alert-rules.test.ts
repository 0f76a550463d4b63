// The generated rules, checked and unit-tested by Prometheus's own promtool at production
// timing (a CloudWatch minute is a minute): each alert fires on the failure it stands for,
// after the time its alarm would take, and stays quiet below the threshold and the noise floor.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { ALARMS, type AlarmId } from '../../../infra/src/alarm-thresholds.ts';
import {
  LOCAL_ALERTS,
  alertName,
  isLocal,
  renderAlertRules,
} from '../../monitoring/alert-rules.ts';

const run = promisify(execFile);
const PRODUCTION = { timeScale: 1, scrapeIntervalSeconds: 15 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloud-todo-rules-'));
  await writeFile(join(dir, 'alert-rules.yml'), renderAlertRules(PRODUCTION));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** promtool's exit code and output (it exits 1 when a test case fails). */
async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: dir });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The alert promtool must see firing: the rule's labels and annotations, as generated. */
function firing(id: AlarmId) {
  const local = LOCAL_ALERTS[id];
  if (!isLocal(local)) throw new Error(`${id} has no local rule`);
  return {
    exp_labels: { severity: 'critical', cloudwatch_alarm: id },
    exp_annotations: {
      summary: ALARMS[id].summary,
      stands_in_for: `CloudWatch alarm CloudTodo-<profile>-${id}`,
      local_metric: local.standIn,
    },
  };
}

/** One check: at `at`, alert `id` fires (true) or does not (false). */
function expectAt(at: string, id: AlarmId, fires: boolean) {
  return { eval_time: at, alertname: alertName(id), exp_alerts: fires ? [firing(id)] : [] };
}

// 10 requests/s for 15 minutes, scraped every 15 s.
const REQUESTS = '0+150x60';
const apiTraffic = (serverFivexxPer15s: number, frontendFivexxPer15s = serverFivexxPer15s) => [
  { series: 'haproxy_backend_http_requests_total{proxy="api"}', values: REQUESTS },
  { series: 'haproxy_frontend_http_requests_total{proxy="alb"}', values: REQUESTS },
  {
    series: 'haproxy_server_http_responses_total{proxy="api",server="a1",code="5xx"}',
    values: `0+${serverFivexxPer15s}x60`,
  },
  {
    series: 'haproxy_frontend_http_responses_total{proxy="alb",code="5xx"}',
    values: `0+${frontendFivexxPer15s}x60`,
  },
];

const CASES = [
  {
    name: 'api answers 2 % 5xx: ApiTarget5xxRate after about three minutes; the ALB alarm stays quiet',
    input_series: apiTraffic(3),
    alert_rule_test: [
      expectAt('1m30s', 'ApiTarget5xxRate', false),
      expectAt('5m', 'ApiTarget5xxRate', true),
      expectAt('5m', 'AlbElb5xxRate', false),
    ],
  },
  {
    name: '0.5 % 5xx is below the threshold',
    input_series: apiTraffic(0.75),
    alert_rule_test: [expectAt('10m', 'ApiTarget5xxRate', false)],
  },
  {
    name: 'below the noise floor (4 requests a minute, all 5xx) nothing fires',
    input_series: [
      { series: 'haproxy_backend_http_requests_total{proxy="api"}', values: '0+1x60' },
      {
        series: 'haproxy_server_http_responses_total{proxy="api",server="a1",code="5xx"}',
        values: '0+1x60',
      },
    ],
    alert_rule_test: [expectAt('10m', 'ApiTarget5xxRate', false)],
  },
  {
    name: 'the load balancer answers 4 % 5xx itself (no server up): AlbElb5xxRate',
    input_series: apiTraffic(0, 6),
    alert_rule_test: [
      expectAt('5m', 'AlbElb5xxRate', true),
      expectAt('5m', 'ApiTarget5xxRate', false),
    ],
  },
  {
    name: 'one API instance stops answering: ApiTasksBelowDesired after five minutes',
    input_series: [
      { series: 'up{job="api",server="a1"}', values: '1x60' },
      { series: 'up{job="api",server="b1"}', values: '1x4 0x56' },
    ],
    alert_rule_test: [
      expectAt('4m', 'ApiTasksBelowDesired', false),
      expectAt('6m', 'ApiTasksBelowDesired', true),
    ],
  },
  {
    name: 'every request takes over a second: ApiP99Latency',
    input_series: [
      { series: 'http_request_duration_seconds_bucket{job="api",le="0.5"}', values: '0x60' },
      { series: 'http_request_duration_seconds_bucket{job="api",le="1"}', values: '0x60' },
      { series: 'http_request_duration_seconds_bucket{job="api",le="2.5"}', values: REQUESTS },
      { series: 'http_request_duration_seconds_bucket{job="api",le="+Inf"}', values: REQUESTS },
    ],
    alert_rule_test: [
      expectAt('1m30s', 'ApiP99Latency', false),
      expectAt('5m', 'ApiP99Latency', true),
    ],
  },
  {
    name: 'fast requests: no ApiP99Latency',
    input_series: [
      { series: 'http_request_duration_seconds_bucket{job="api",le="0.5"}', values: REQUESTS },
      { series: 'http_request_duration_seconds_bucket{job="api",le="1"}', values: REQUESTS },
      { series: 'http_request_duration_seconds_bucket{job="api",le="+Inf"}', values: REQUESTS },
    ],
    alert_rule_test: [expectAt('10m', 'ApiP99Latency', false)],
  },
  {
    name: 'a health check fails for good: the unhealthy-target alarm after fifteen minutes',
    input_series: [
      {
        series: 'haproxy_server_status{proxy="api",server="b1",state="DOWN"}',
        values: '0x4 1x80',
      },
    ],
    alert_rule_test: [
      expectAt('8m', 'api-Unhealthy-Tasks-Critical', false),
      expectAt('13m', 'api-Unhealthy-Tasks-Critical', true),
    ],
  },
  {
    name: 'WAL archiving fails once: the backup alarm at once',
    input_series: [{ series: 'pg_stat_archiver_failed_count', values: '0x10 1x50' }],
    alert_rule_test: [
      expectAt('2m', 'BackupJobFailed', false),
      expectAt('3m', 'BackupJobFailed', true),
    ],
  },
];

test('promtool check rules accepts the generated rule file', async () => {
  const { code, output } = await promtool('check', 'rules', 'alert-rules.yml');
  expect(code, output).toBe(0);
  const local = Object.values(LOCAL_ALERTS).filter(isLocal).length;
  expect(output).toContain(`SUCCESS: ${local} rules found`);
});

test('promtool test rules: each alert fires on its failure, at production timing', async () => {
  await writeFile(
    join(dir, 'alert-rules.test.yml'),
    stringify({
      rule_files: ['alert-rules.yml'],
      evaluation_interval: '15s',
      tests: CASES.map((c) => ({ interval: '15s', ...c })),
    }),
  );
  const { code, output } = await promtool('test', 'rules', 'alert-rules.test.yml');
  expect(code, output).toBe(0);
  expect(output).toContain('SUCCESS');
});

test('promtool test rules fails when an expectation is wrong (the harness can fail)', async () => {
  const [first] = CASES;
  await writeFile(
    join(dir, 'wrong.test.yml'),
    stringify({
      rule_files: ['alert-rules.yml'],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          ...first,
          alert_rule_test: [expectAt('1m30s', 'ApiTarget5xxRate', true)],
        },
      ],
    }),
  );
  const { code, output } = await promtool('test', 'rules', 'wrong.test.yml');
  expect(code, output).not.toBe(0);
  expect(output).toContain('FAILED');
});
