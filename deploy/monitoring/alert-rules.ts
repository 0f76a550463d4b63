import { stringify } from 'yaml';
import { ALARMS, THRESHOLDS, type AlarmId } from '../../infra/src/alarm-thresholds.ts';
import { PROFILES } from '../../infra/src/profile.ts';

/** A Prometheus rule that stands in for a CloudWatch alarm on the replica. */
export interface LocalAlert {
  /** The PromQL condition; `w` is the rate window (one CloudWatch period, scaled). */
  readonly expr: (w: string) => string;
  /** What the local metric is, and how it differs from the CloudWatch one. */
  readonly standIn: string;
}

/** An alarm the replica cannot mirror, and why. */
export interface NoLocalAlert {
  readonly reason: string;
}

const API_TASK_MEMORY_BYTES = PROFILES.course.api.memoryMiB * 1024 ** 2;
/** Requests per second below which a rate alarm stays quiet (CloudWatch: per minute). */
const MIN_RPS = THRESHOLDS.minRequestsPerMinute / 60;

/** HAProxy's requests and server-answered 5xx of one backend (the target group). */
const requests = (proxy: string, w: string) =>
  `sum(rate(haproxy_backend_http_requests_total{proxy="${proxy}"}[${w}]))`;
const target5xx = (proxy: string, w: string) =>
  `sum(rate(haproxy_server_http_responses_total{proxy="${proxy}",code="5xx"}[${w}]))`;
const target5xxRate = (proxy: string, w: string) =>
  `(100 * ${target5xx(proxy, w)} / ${requests(proxy, w)} > ${THRESHOLDS.target5xxPercent}) and on() (${requests(proxy, w)} >= ${MIN_RPS})`;

/**
 * Every CloudWatch alarm of the catalogue, with its local counterpart or the reason it has
 * none. The type makes a missing entry a compile error; the coverage test makes an alarm
 * missing from the catalogue a test failure.
 */
export const LOCAL_ALERTS: Readonly<Record<AlarmId, LocalAlert | NoLocalAlert>> = {
  AlbElb5xxRate: {
    // What the frontend answered with 5xx that no server answered: HAProxy's own 503 (no
    // server up), 502/504 (connection failed, timed out), like the ALB's ELB 5xx.
    expr: (w) =>
      `(100 * clamp_min(sum(rate(haproxy_frontend_http_responses_total{proxy="alb",code="5xx"}[${w}])) - (sum(rate(haproxy_server_http_responses_total{code="5xx"}[${w}])) or vector(0)), 0) / sum(rate(haproxy_frontend_http_requests_total{proxy="alb"}[${w}])) > ${THRESHOLDS.albElb5xxPercent}) and on() (sum(rate(haproxy_frontend_http_requests_total{proxy="alb"}[${w}])) >= ${MIN_RPS})`,
    standIn: "HAProxy's frontend 5xx minus those its servers answered",
  },
  ApiTarget5xxRate: {
    expr: (w) => target5xxRate('api', w),
    standIn: "5xx answered by the api servers, from HAProxy's per-server counters",
  },
  WebTarget5xxRate: {
    expr: (w) => target5xxRate('web', w),
    standIn: "5xx answered by the web servers, from HAProxy's per-server counters",
  },
  ApiP99Latency: {
    expr: (w) =>
      `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[${w}]))) > ${THRESHOLDS.apiP99Seconds}`,
    standIn: "p99 of the API instances' own request-duration histogram",
  },
  WebP99Latency: {
    expr: () =>
      `max(haproxy_backend_response_time_average_seconds{proxy="web"}) > ${THRESHOLDS.webP99Seconds}`,
    standIn:
      "HAProxy's average response time of the web backend (last 1024 requests): nginx and HAProxy's exporter have no percentiles, so this fires later than a p99 would",
  },
  ApiTasksBelowDesired: {
    // Every configured instance is a scrape target: one that does not answer is missing.
    expr: () => `count(up{job="api"} == 0) >= 1`,
    standIn: 'API instances whose /metrics does not answer (the desired set is the scrape list)',
  },
  WebTasksBelowDesired: {
    expr: () => `count(nginx_up == 0) >= 1`,
    standIn: 'nginx instances whose stub_status does not answer the exporter',
  },
  'api-Unhealthy-Tasks-Critical': {
    expr: () => `count(haproxy_server_status{proxy="api",state=~"DOWN|NOLB"} == 1) > 0`,
    standIn: "api servers HAProxy's health checks hold DOWN",
  },
  'web-Unhealthy-Tasks-Critical': {
    expr: () => `count(haproxy_server_status{proxy="web",state=~"DOWN|NOLB"} == 1) > 0`,
    standIn: "web servers HAProxy's health checks hold DOWN",
  },
  'api-CPU-Usage-Critical': {
    expr: (w) =>
      `avg(100 * rate(process_cpu_seconds_total{job="api"}[${w}])) > ${THRESHOLDS.serviceCpuPercent}`,
    standIn: 'CPU of the API processes in % of one core (a task has its own share; here one core)',
  },
  'web-CPU-Usage-Critical': {
    reason:
      "nginx reports no CPU figures (stub_status counts connections only), and the replica's nginx shares the machine's cores with everything else",
  },
  'api-Memory-Usage-Critical': {
    expr: () =>
      `avg(100 * process_resident_memory_bytes{job="api"} / ${API_TASK_MEMORY_BYTES}) > ${THRESHOLDS.serviceMemoryPercent}`,
    standIn: `resident memory of the API processes in % of the course profile's task memory (${PROFILES.course.api.memoryMiB} MiB)`,
  },
  'web-Memory-Usage-Critical': {
    reason: 'nginx reports no memory figures (stub_status counts connections only)',
  },
  ApiErrorLogRate: {
    reason:
      'the replica writes its logs to files; Prometheus reads metrics, not logs (a log shipper such as promtail would be one more daemon for one alarm)',
  },
  'database-CPU-Usage-Critical': {
    reason:
      "postgres_exporter reads PostgreSQL's statistics views, which have no CPU figure; the replica's server shares the machine's cores",
  },
  'database-Min-Usage-Count-Critical': {
    reason:
      "the replica's data folder is on the machine's own disk, which no exporter of the replica watches (node_exporter is not part of it)",
  },
  DatabaseConnections: {
    expr: () => `sum(pg_stat_activity_count) > 0.8 * max(pg_settings_max_connections)`,
    standIn: "connections from pg_stat_activity against 80 % of the replica's max_connections",
  },
  DatabaseFreeableMemory: {
    reason:
      "freeable memory is the RDS instance's; the replica's server uses the machine's memory, which no exporter of the replica watches",
  },
  BackupJobFailed: {
    expr: (w) => `increase(pg_stat_archiver_failed_count[${w}]) > 0`,
    standIn:
      'WAL archiving to the pgBackRest repository failed (pg_stat_archiver): without it no point-in-time restore reaches the present',
  },
};

export interface AlertTiming {
  /**
   * Factor on every CloudWatch period (1 = production's minutes; 1/60 turns a minute into
   * a second, for tests).
   */
  readonly timeScale: number;
  /** Prometheus's scrape interval, seconds: the rate window is at least four of them. */
  readonly scrapeIntervalSeconds: number;
}

export function isLocal(alert: LocalAlert | NoLocalAlert): alert is LocalAlert {
  return 'expr' in alert;
}

/** `api-Unhealthy-Tasks-Critical` → `ApiUnhealthyTasksCritical`: a valid alert name. */
export function alertName(id: AlarmId): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The rate window and `for` of one alarm at this timing, in seconds. */
export function alertWindows(id: AlarmId, timing: AlertTiming): { window: number; for: number } {
  const alarm = ALARMS[id];
  const period = alarm.periodSeconds * timing.timeScale;
  return {
    window: Math.max(Math.round(period), 4 * timing.scrapeIntervalSeconds),
    // The rate window already spans one breaching period; the rest must persist.
    for: Math.round((alarm.datapointsToAlarm - 1) * period),
  };
}

/** The Prometheus rule file: one alert per CloudWatch alarm that has a local counterpart. */
export function renderAlertRules(timing: AlertTiming): string {
  const rules = (Object.keys(LOCAL_ALERTS) as AlarmId[]).flatMap((id) => {
    const local = LOCAL_ALERTS[id];
    if (!isLocal(local)) return [];
    const { window, for: hold } = alertWindows(id, timing);
    return [
      {
        alert: alertName(id),
        expr: local.expr(`${window}s`),
        for: `${hold}s`,
        labels: { severity: 'critical', cloudwatch_alarm: id },
        annotations: {
          summary: ALARMS[id].summary,
          stands_in_for: `CloudWatch alarm CloudTodo-<profile>-${id}`,
          local_metric: local.standIn,
        },
      },
    ];
  });
  return `# Generated by deploy/monitoring/alert-rules.ts from infra/src/alarm-thresholds.ts: edit those, not this output.\n${stringify(
    { groups: [{ name: 'cloud-todo', rules }] },
    { lineWidth: 0 },
  )}`;
}
