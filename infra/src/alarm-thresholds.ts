/**
 * The thresholds of every alarm, in one place (plain data, so tests read them without loading
 * the CDK); docs/monitoring.md says why each.
 */
export const THRESHOLDS = {
  /** ALB-generated 5xx (no healthy target, timeouts) in % of requests. */
  albElb5xxPercent: 1,
  /** Target (application) 5xx in % of the target group's requests. */
  target5xxPercent: 1,
  /** Only rate alarms with at least this many requests per minute (one error in 3 is noise). */
  minRequestsPerMinute: 10,
  /** p99 target response time, seconds. */
  apiP99Seconds: 1,
  webP99Seconds: 0.5,
  /** Task CPU / memory utilisation, % (scaling targets 60 %, so this means "scaling is not keeping up"). */
  serviceCpuPercent: 85,
  serviceMemoryPercent: 85,
  /** RDS CPU, %. */
  databaseCpuPercent: 80,
  /** RDS free storage, bytes: autoscaling adds space at 10 % free, so this fires only when it cannot. */
  databaseFreeStorageBytes: 2 * 1024 ** 3,
  /** Freeable memory below this fraction of the instance's memory. */
  databaseFreeableMemoryFraction: 0.1,
  /** Error-level API log lines per 5 minutes. */
  apiErrorLogsPer5Min: 10,
} as const;

/** One CloudWatch alarm as the monitoring construct builds it (`CloudTodo-<profile>-<id>`). */
export interface AlarmDefinition {
  /** What breaches, in a few words. */
  readonly summary: string;
  /**
   * The threshold in the metric's unit, when it is a constant of this module (absent when a
   * profile sets it, e.g. the connection count, which depends on the instance class).
   */
  readonly threshold?: number;
  /** Length of one datapoint, seconds. */
  readonly periodSeconds: number;
  /** Breaching datapoints that raise the alarm (out of the evaluation periods). */
  readonly datapointsToAlarm: number;
}

const minute = 60;

/**
 * Every alarm the monitoring construct creates, by the suffix of its name: the catalogue
 * the local replica's Prometheus rules are generated from (deploy/monitoring), so that a
 * threshold changed here changes both. A test synthesizes the stacks and fails when an
 * alarm is missing here or its threshold or timing differs.
 */
export const ALARMS = {
  AlbElb5xxRate: {
    summary: `load-balancer-generated 5xx above ${THRESHOLDS.albElb5xxPercent} % of requests`,
    threshold: THRESHOLDS.albElb5xxPercent,
    periodSeconds: minute,
    datapointsToAlarm: 3,
  },
  ApiTarget5xxRate: {
    summary: `api: 5xx answered by the tasks above ${THRESHOLDS.target5xxPercent} % of requests`,
    threshold: THRESHOLDS.target5xxPercent,
    periodSeconds: minute,
    datapointsToAlarm: 3,
  },
  WebTarget5xxRate: {
    summary: `web: 5xx answered by the tasks above ${THRESHOLDS.target5xxPercent} % of requests`,
    threshold: THRESHOLDS.target5xxPercent,
    periodSeconds: minute,
    datapointsToAlarm: 3,
  },
  ApiP99Latency: {
    summary: `api: p99 response time above ${THRESHOLDS.apiP99Seconds} s`,
    threshold: THRESHOLDS.apiP99Seconds,
    periodSeconds: minute,
    datapointsToAlarm: 3,
  },
  WebP99Latency: {
    summary: `web: p99 response time above ${THRESHOLDS.webP99Seconds} s`,
    threshold: THRESHOLDS.webP99Seconds,
    periodSeconds: minute,
    datapointsToAlarm: 3,
  },
  ApiTasksBelowDesired: {
    summary: 'api: fewer running tasks than desired',
    threshold: 1,
    periodSeconds: minute,
    datapointsToAlarm: 5,
  },
  WebTasksBelowDesired: {
    summary: 'web: fewer running tasks than desired',
    threshold: 1,
    periodSeconds: minute,
    datapointsToAlarm: 5,
  },
  'api-Unhealthy-Tasks-Critical': {
    summary: 'api: a target fails its health checks',
    threshold: 0,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  'web-Unhealthy-Tasks-Critical': {
    summary: 'web: a target fails its health checks',
    threshold: 0,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  'api-CPU-Usage-Critical': {
    summary: `api: CPU above ${THRESHOLDS.serviceCpuPercent} % of the task's share`,
    threshold: THRESHOLDS.serviceCpuPercent,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  'web-CPU-Usage-Critical': {
    summary: `web: CPU above ${THRESHOLDS.serviceCpuPercent} % of the task's share`,
    threshold: THRESHOLDS.serviceCpuPercent,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  'api-Memory-Usage-Critical': {
    summary: `api: memory above ${THRESHOLDS.serviceMemoryPercent} % of the task's`,
    threshold: THRESHOLDS.serviceMemoryPercent,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  'web-Memory-Usage-Critical': {
    summary: `web: memory above ${THRESHOLDS.serviceMemoryPercent} % of the task's`,
    threshold: THRESHOLDS.serviceMemoryPercent,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  ApiErrorLogRate: {
    summary: `api: ${THRESHOLDS.apiErrorLogsPer5Min} or more error-level log lines in 5 minutes`,
    threshold: THRESHOLDS.apiErrorLogsPer5Min,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 1,
  },
  'database-CPU-Usage-Critical': {
    summary: `database: CPU above ${THRESHOLDS.databaseCpuPercent} %`,
    threshold: THRESHOLDS.databaseCpuPercent,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  'database-Min-Usage-Count-Critical': {
    summary: 'database: free storage below the floor',
    threshold: THRESHOLDS.databaseFreeStorageBytes,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  DatabaseConnections: {
    summary: 'database: connections above ≈ 80 % of max_connections',
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  DatabaseFreeableMemory: {
    summary: `database: freeable memory below ${THRESHOLDS.databaseFreeableMemoryFraction * 100} % of the instance's`,
    periodSeconds: 5 * minute,
    datapointsToAlarm: 3,
  },
  BackupJobFailed: {
    summary: 'a backup job of the database vault failed',
    threshold: 1,
    periodSeconds: 60 * minute,
    datapointsToAlarm: 1,
  },
} as const satisfies Record<string, AlarmDefinition>;

export type AlarmId = keyof typeof ALARMS;
