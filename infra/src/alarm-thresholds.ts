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
