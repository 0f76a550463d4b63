import type { Profile } from './profile.ts';

/** The environment as bin/cloud-todo.ts hands it over (`process.env`). */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * A profile with the deploy-time overrides from the environment: the one place that reads
 * them (bin/cloud-todo.ts passes `process.env`; docs/deploy.md lists them).
 *
 * An empty or blank variable counts as unset: the deploy workflow passes every one of them
 * from a repository variable, and a repository variable that is not set arrives as an empty
 * string, which must change nothing. Values are trimmed.
 */
export function profileWithEnvironment(base: Profile, environment: Environment): Profile {
  const env: Environment = Object.fromEntries(
    Object.entries(environment)
      .map(([name, value]): [string, string | undefined] => [name, value?.trim()])
      .filter(([, value]) => value),
  );
  // HTTPS needs all three; some of them only is a mistake, not a wish for plain HTTP.
  const domainVariables = [
    'CLOUD_TODO_DOMAIN',
    'CLOUD_TODO_HOSTED_ZONE_ID',
    'CLOUD_TODO_ZONE_NAME',
  ];
  const missing = domainVariables.filter((name) => !env[name]);
  if (missing.length > 0 && missing.length < domainVariables.length) {
    throw new Error(
      `HTTPS needs ${domainVariables.join(', ')} together; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set (docs/deploy.md).`,
    );
  }
  const emails = env.CLOUD_TODO_ALARM_EMAILS?.split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return {
    ...base,
    account: env.CDK_DEPLOY_ACCOUNT ?? env.CDK_DEFAULT_ACCOUNT ?? base.account,
    alarmEmails: emails ?? base.alarmEmails,
    alarmEmailsOptOut: env.CLOUD_TODO_ALARM_EMAILS_OPT_OUT ?? base.alarmEmailsOptOut,
    backup: env.CLOUD_TODO_BACKUP_COPY_REGION
      ? { ...base.backup, copyToRegion: env.CLOUD_TODO_BACKUP_COPY_REGION }
      : base.backup,
    domain:
      env.CLOUD_TODO_DOMAIN && env.CLOUD_TODO_HOSTED_ZONE_ID && env.CLOUD_TODO_ZONE_NAME
        ? {
            name: env.CLOUD_TODO_DOMAIN,
            hostedZoneId: env.CLOUD_TODO_HOSTED_ZONE_ID,
            zoneName: env.CLOUD_TODO_ZONE_NAME,
          }
        : base.domain,
  };
}
