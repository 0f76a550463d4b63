import type { Profile } from './profile.ts';

/**
 * Checks on a profile and an image tag, run before any construct sees them: a mistake in
 * configuration fails the synth with a message naming the field, not a deploy halfway.
 */

/** Fargate's valid memory sizes (MiB) per CPU size. */
function validFargateMemory(cpu: number, memoryMiB: number): boolean {
  switch (cpu) {
    case 256:
      return [512, 1024, 2048].includes(memoryMiB);
    case 512:
      return memoryMiB >= 1024 && memoryMiB <= 4096 && memoryMiB % 1024 === 0;
    case 1024:
      return memoryMiB >= 2048 && memoryMiB <= 8192 && memoryMiB % 1024 === 0;
    case 2048:
      return memoryMiB >= 4096 && memoryMiB <= 16384 && memoryMiB % 1024 === 0;
    case 4096:
      return memoryMiB >= 8192 && memoryMiB <= 30720 && memoryMiB % 1024 === 0;
    default:
      return false;
  }
}

/** RFC 1918 private address space (https://www.rfc-editor.org/rfc/rfc1918). */
function isRfc1918(cidr: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return false;
  const [a, b] = [Number(match[1]), Number(match[2])];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096];

/**
 * Checks a profile and returns it, or throws one error that lists every problem, each
 * naming the field.
 */
export function validateProfile(profile: Profile): Profile {
  const problems: string[] = [];
  const need = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  need(/^[a-z][a-z0-9-]{0,15}$/.test(profile.name), 'name: lower-case letters, digits, dashes');
  need(/^\d{12}$/.test(profile.account), 'account: 12 digits');
  need(/^[a-z]{2}(-[a-z]+)+-\d$/.test(profile.region), 'region: e.g. us-east-1');
  const azs = profile.availabilityZones;
  need(azs.length >= 2 && azs.length <= 3, 'availabilityZones: 2 or 3');
  need(
    azs.every(
      (az) => az.startsWith(profile.region) && /^[a-z]$/.test(az.slice(profile.region.length)),
    ),
    'availabilityZones: each is the region followed by one letter',
  );
  need(new Set(azs).size === azs.length, 'availabilityZones: no duplicates');
  const prefix = Number(profile.vpcCidr.split('/')[1]);
  need(
    isRfc1918(profile.vpcCidr),
    'vpcCidr: must be RFC 1918 private space (10/8, 172.16/12, 192.168/16)',
  );
  need(prefix >= 16 && prefix <= 20, 'vpcCidr: prefix between /16 and /20');
  need(
    profile.natGateways === 1 || profile.natGateways === azs.length,
    'natGateways: 1 or one per availability zone',
  );
  need(
    RETENTION_DAYS.includes(profile.logRetentionDays),
    'logRetentionDays: a CloudWatch Logs retention value',
  );
  const db = profile.database;
  need(/^[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceType), 'database.instanceType: e.g. t4g.micro');
  need(db.instanceMemoryMiB >= 1024, 'database.instanceMemoryMiB: ≥ 1024');
  need(db.allocatedStorageGiB >= 20, 'database.allocatedStorageGiB: ≥ 20 (gp3 minimum)');
  need(
    db.maxAllocatedStorageGiB > db.allocatedStorageGiB,
    'database.maxAllocatedStorageGiB: > allocatedStorageGiB',
  );
  need(
    db.backupRetentionDays >= 7 && db.backupRetentionDays <= 35,
    'database.backupRetentionDays: 7–35',
  );
  need(db.maxConnectionsAlarm > 0, 'database.maxConnectionsAlarm: > 0');
  need(
    db.secretRotationDays >= 1 && db.secretRotationDays <= 365,
    'database.secretRotationDays: 1–365',
  );
  need(profile.backup.dailyRetentionDays >= 7, 'backup.dailyRetentionDays: ≥ 7');
  need(
    profile.backup.monthlyRetentionDays === 0 || profile.backup.monthlyRetentionDays >= 90,
    'backup.monthlyRetentionDays: 0 or ≥ 90',
  );
  const copy = profile.backup.copyToRegion;
  if (copy !== undefined) {
    need(/^[a-z]{2}(-[a-z]+)+-\d$/.test(copy), 'backup.copyToRegion: e.g. us-west-2');
    need(copy !== profile.region, 'backup.copyToRegion: a region other than the profile’s');
  }
  for (const [key, s] of [
    ['api', profile.api],
    ['web', profile.web],
  ] as const) {
    need(
      validFargateMemory(s.cpu, s.memoryMiB),
      `${key}: ${s.memoryMiB} MiB is not valid Fargate memory for ${s.cpu} CPU units`,
    );
    need(s.minTasks >= 2, `${key}.minTasks: ≥ 2 (tasks spread over the AZs)`);
    need(s.maxTasks >= s.minTasks, `${key}.maxTasks: ≥ minTasks`);
    need(s.cpuTargetPercent >= 20 && s.cpuTargetPercent <= 90, `${key}.cpuTargetPercent: 20–90`);
    need(s.requestsPerTargetPerMinute > 0, `${key}.requestsPerTargetPerMinute: > 0`);
  }
  need(profile.wafRateLimitPer5Min >= 10, 'wafRateLimitPer5Min: ≥ 10 (AWS WAF minimum)');
  if (profile.domain) {
    const d = profile.domain;
    need(
      d.name === d.zoneName || d.name.endsWith(`.${d.zoneName}`),
      'domain.name: must lie in domain.zoneName',
    );
    need(/^Z[A-Z0-9]{1,31}$/.test(d.hostedZoneId), 'domain.hostedZoneId: a Route 53 zone id (Z…)');
  }
  need(
    profile.alarmEmails.every((e) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)),
    'alarmEmails: e-mail addresses',
  );
  need(
    !profile.alarmEmailsRequired ||
      profile.alarmEmails.length > 0 ||
      (profile.alarmEmailsOptOut ?? '').trim().length >= 10,
    `alarmEmails: profile ${profile.name} needs at least one address (CLOUD_TODO_ALARM_EMAILS), or a reason of at least 10 characters why nobody gets alarms by e-mail (CLOUD_TODO_ALARM_EMAILS_OPT_OUT)`,
  );
  if (profile.labRoleArn !== undefined) {
    const lab = LAB_ROLE_ARN.exec(profile.labRoleArn);
    need(
      lab !== null,
      `labRoleArn: a role ARN without a path, e.g. arn:aws:iam::${profile.account}:role/LabRole`,
    );
    need(
      lab === null || lab[1] === profile.account,
      `labRoleArn: the role must be in the account deployed to (${profile.account}); deploy with the lab account's credentials, or set CDK_DEPLOY_ACCOUNT`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`Invalid profile "${profile.name}":\n- ${problems.join('\n- ')}`);
  }
  return profile;
}

/** A lab role's ARN: account and name (CDK names a precreated role by name, without a path). */
const LAB_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@-]{1,64})$/;

/** The name of the lab role (the last part of its ARN). */
export function labRoleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The bucket a lab account's stacks upload their assets to, which the student creates. */
export function labAssetBucket(account: string, region: string): string {
  return `cloud-todo-assets-${account}-${region}`;
}

/** An image tag: the git commit the images were built from, never a moving tag. */
export function validateImageTag(tag: string): string {
  if (!/^[0-9a-f]{7,40}$/.test(tag)) {
    throw new Error(
      `Invalid image tag "${tag}": use the git commit the images were built from (7–40 hex digits), never "latest".`,
    );
  }
  return tag;
}

/**
 * What a deployer must hear before deploying this profile, though it is allowed: printed by
 * bin/ on every synth, so that an HTTP-only or unwatched environment is never a surprise.
 */
export function profileNotes(profile: Profile): string[] {
  const notes: string[] = [];
  if (!profile.domain) {
    notes.push(
      `profile ${profile.name} serves plain HTTP: lists and their links cross the internet unencrypted. For HTTPS set CLOUD_TODO_DOMAIN, CLOUD_TODO_HOSTED_ZONE_ID and CLOUD_TODO_ZONE_NAME (docs/deploy.md).`,
    );
  }
  if (profile.alarmEmails.length === 0) {
    notes.push(
      profile.alarmEmailsOptOut
        ? `profile ${profile.name} has no alarm e-mails (opt-out: ${profile.alarmEmailsOptOut}); subscribe to the AlarmTopicArn output, or nobody hears an alarm.`
        : `profile ${profile.name} has no alarm e-mails: alarms reach nobody. Set CLOUD_TODO_ALARM_EMAILS.`,
    );
  }
  if (profile.labRoleArn) {
    notes.push(
      `profile ${profile.name} runs as the lab role ${profile.labRoleArn}: no IAM roles or policies are created, every component has that role's rights, and the database password is not rotated. The stacks upload their assets to the bucket ${labAssetBucket(profile.account, profile.region)}, which must exist (docs/deploy.md).`,
    );
  }
  return notes;
}
