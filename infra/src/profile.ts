/**
 * The environment profiles: the only configuration of the platform. A profile is plain,
 * typed data, validated before any construct sees it; stacks and constructs take it as
 * props. Environment variables are read in `bin/` only and land here as overrides.
 */

/** HTTPS for the application: a Route 53 public hosted zone that the account owns. */
export interface DomainConfig {
  /** The application's host name, e.g. `todo.example.org`. */
  readonly name: string;
  /** The id of the public hosted zone that holds `name` (no lookup at synth). */
  readonly hostedZoneId: string;
  /** The hosted zone's name, e.g. `example.org`. */
  readonly zoneName: string;
}

/** Size and scaling of one ECS service. */
export interface ServiceSizing {
  /** Fargate task CPU units (256 = 0.25 vCPU, the course's size). */
  readonly cpu: 256 | 512 | 1024 | 2048 | 4096;
  /** Fargate task memory in MiB; must be valid for `cpu`. */
  readonly memoryMiB: number;
  /** Minimum task count (≥ 2: one per AZ at least). */
  readonly minTasks: number;
  /** Maximum task count for auto scaling. */
  readonly maxTasks: number;
  /** Target average CPU utilisation in percent for target tracking. */
  readonly cpuTargetPercent: number;
  /** Target ALB requests per target per minute for target tracking. */
  readonly requestsPerTargetPerMinute: number;
}

export interface Profile {
  /** Short name, part of every stack name (`CloudTodo-<name>-…`). */
  readonly name: string;
  /** AWS account id (12 digits). The committed profiles carry a placeholder; bin/ overrides it. */
  readonly account: string;
  /** AWS region, e.g. `us-east-1`. */
  readonly region: string;
  /** Availability zones to use, 2 or 3, explicit so that synth needs no lookup. */
  readonly availabilityZones: readonly string[];
  /** VPC CIDR, RFC 1918 space, /16 to /20. */
  readonly vpcCidr: string;
  /** NAT gateways: 1 (cheap) or one per AZ (survives an AZ outage). */
  readonly natGateways: number;
  /** Retention of VPC flow logs, service logs and database logs, in days. */
  readonly logRetentionDays: number;
  readonly database: {
    /** RDS instance class, e.g. `t4g.micro` (without the `db.` prefix). */
    readonly instanceType: string;
    /** Nominal memory of the instance class in MiB (for the freeable-memory alarm). */
    readonly instanceMemoryMiB: number;
    /** Standby in a second AZ with synchronous replication and automatic failover. */
    readonly multiAz: boolean;
    /** Initial gp3 storage in GiB (RDS minimum for gp3 is 20). */
    readonly allocatedStorageGiB: number;
    /** Upper bound of storage autoscaling in GiB. */
    readonly maxAllocatedStorageGiB: number;
    /** Automated backups / point-in-time recovery window in days (1–35). */
    readonly backupRetentionDays: number;
    /** Deletion protection and a final snapshot when the stack is deleted. */
    readonly deletionProtection: boolean;
    /** Alarm when connections exceed this count (≈ 80 % of the class's max_connections). */
    readonly maxConnectionsAlarm: number;
    /** Rotate the password automatically after this many days. */
    readonly secretRotationDays: number;
  };
  readonly backup: {
    /** How long daily AWS Backup recovery points are kept, in days. */
    readonly dailyRetentionDays: number;
    /** How long monthly recovery points are kept, in days; 0 = no monthly rule. */
    readonly monthlyRetentionDays: number;
  };
  readonly api: ServiceSizing;
  readonly web: ServiceSizing;
  /** AWS WAF (managed common rules + per-IP rate limit) in front of the ALB. */
  readonly waf: boolean;
  /** Requests per 5 minutes per client IP before WAF blocks (AWS WAF minimum is 10). */
  readonly wafRateLimitPer5Min: number;
  /** HTTPS with an ACM certificate; plain HTTP when absent. */
  readonly domain?: DomainConfig;
  /** E-mail addresses subscribed to the alarm topic (each must confirm). */
  readonly alarmEmails: readonly string[];
}

/**
 * Placeholder account of the committed profiles: synth works offline with it, and a deploy
 * replaces it (bin/ reads CDK_DEPLOY_ACCOUNT, else the CLI's CDK_DEFAULT_ACCOUNT).
 */
export const PLACEHOLDER_ACCOUNT = '111111111111';

const course = { cpu: 256, memoryMiB: 512 } as const; // 0.25 vCPU / 0.5 GB, as in the course

export const PROFILES: Readonly<Record<'dev' | 'prod', Profile>> = {
  dev: {
    name: 'dev',
    account: PLACEHOLDER_ACCOUNT,
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    vpcCidr: '10.20.0.0/16',
    natGateways: 1,
    logRetentionDays: 30,
    database: {
      instanceType: 't4g.micro',
      instanceMemoryMiB: 1024,
      multiAz: false,
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 100,
      backupRetentionDays: 7,
      deletionProtection: false,
      maxConnectionsAlarm: 70,
      secretRotationDays: 30,
    },
    backup: { dailyRetentionDays: 7, monthlyRetentionDays: 0 },
    api: {
      ...course,
      minTasks: 2,
      maxTasks: 4,
      cpuTargetPercent: 60,
      requestsPerTargetPerMinute: 600,
    },
    web: {
      ...course,
      minTasks: 2,
      maxTasks: 4,
      cpuTargetPercent: 60,
      requestsPerTargetPerMinute: 1200,
    },
    waf: false,
    wafRateLimitPer5Min: 2000,
    alarmEmails: [],
  },
  prod: {
    name: 'prod',
    account: PLACEHOLDER_ACCOUNT,
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    vpcCidr: '10.30.0.0/16',
    natGateways: 3,
    logRetentionDays: 90,
    database: {
      instanceType: 't4g.medium',
      instanceMemoryMiB: 4096,
      multiAz: true,
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 200,
      backupRetentionDays: 35,
      deletionProtection: true,
      maxConnectionsAlarm: 320,
      secretRotationDays: 30,
    },
    backup: { dailyRetentionDays: 35, monthlyRetentionDays: 365 },
    api: {
      cpu: 512,
      memoryMiB: 1024,
      minTasks: 3,
      maxTasks: 12,
      cpuTargetPercent: 60,
      requestsPerTargetPerMinute: 1200,
    },
    web: {
      ...course,
      minTasks: 3,
      maxTasks: 6,
      cpuTargetPercent: 60,
      requestsPerTargetPerMinute: 3000,
    },
    waf: true,
    wafRateLimitPer5Min: 2000,
    alarmEmails: [],
  },
};

export type ProfileName = keyof typeof PROFILES;

export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(PROFILES, name);
}

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
  if (problems.length > 0) {
    throw new Error(`Invalid profile "${profile.name}":\n- ${problems.join('\n- ')}`);
  }
  return profile;
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
