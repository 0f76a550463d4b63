/**
 * Settings of the database instance that both the stack (src/constructs/database.ts) and the
 * restore command (src/ops/restore.ts) apply: plain data, so the command loads no CDK.
 */
export const DATABASE_SETTINGS = {
  /** UTC, before AWS Backup's 05:00 window. */
  backupWindow: '03:00-04:00',
  maintenanceWindow: 'sun:04:30-sun:05:00',
  /** The PostgreSQL logs exported to CloudWatch Logs. */
  logExports: ['postgresql', 'upgrade'],
  /** Performance Insights retention in days (7: the free tier). */
  performanceInsightsRetentionDays: 7,
} as const;
