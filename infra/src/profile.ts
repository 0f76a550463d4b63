/**
 * The environment profiles: the only configuration of the platform. A profile is plain,
 * typed data, validated before any construct sees it; stacks and constructs take it as
 * props. Environment variables are read in one place (`profile-environment.ts`, called by
 * `bin/`) and land here as overrides.
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
    /**
     * A second region that receives a copy of every recovery point (same retention), in a
     * vault of its own stack; none when absent.
     */
    readonly copyToRegion?: string;
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
  /**
   * The profile refuses to synthesize with no `alarmEmails` (alarms that reach nobody), unless
   * `alarmEmailsOptOut` says why.
   */
  readonly alarmEmailsRequired: boolean;
  /**
   * The named opt-out: why this deployment has no alarm e-mails although the profile requires
   * them (e.g. "the on-call tool subscribes to AlarmTopicArn itself"). Shown in the synth.
   */
  readonly alarmEmailsOptOut?: string;
  /**
   * A lab account's one precreated role (e.g. AWS Academy's `LabRole`,
   * `arn:aws:iam::<account>:role/LabRole`), for accounts that may not create IAM roles: when
   * set, the app creates no IAM role or policy, every role it would create is this role, the
   * stacks deploy without `cdk bootstrap`, and what needs a role of its own (secret rotation,
   * the GitHub deploy role) is off. Set by `-c labRoleArn=…` (bin/cloud-todo.ts, docs/deploy.md).
   */
  readonly labRoleArn?: string;
}

/**
 * Placeholder account of the committed profiles: synth works offline with it, and a deploy
 * replaces it (bin/ reads CDK_DEPLOY_ACCOUNT, else the CLI's CDK_DEFAULT_ACCOUNT).
 */
export const PLACEHOLDER_ACCOUNT = '111111111111';

const courseTaskSize = { cpu: 256, memoryMiB: 512 } as const; // 0.25 vCPU / 0.5 GB, as in the course

const dev: Profile = {
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
    ...courseTaskSize,
    minTasks: 2,
    maxTasks: 4,
    cpuTargetPercent: 60,
    requestsPerTargetPerMinute: 600,
  },
  web: {
    ...courseTaskSize,
    minTasks: 2,
    maxTasks: 4,
    cpuTargetPercent: 60,
    requestsPerTargetPerMinute: 1200,
  },
  waf: false,
  wafRateLimitPer5Min: 2000,
  alarmEmails: [],
  alarmEmailsRequired: false,
};

export const PROFILES: Readonly<Record<'dev' | 'course' | 'prod', Profile>> = {
  dev,
  /**
   * Sized for a class (Modul 109): what the failover lab needs — two AZs and a Multi-AZ
   * database — at the smallest price: the smallest Multi-AZ class, one NAT gateway, no WAF,
   * no deletion protection (a class tears its environment down). docs/deploy.md has its cost.
   */
  course: {
    ...dev,
    name: 'course',
    vpcCidr: '10.40.0.0/16',
    logRetentionDays: 14,
    database: { ...dev.database, multiAz: true, maxAllocatedStorageGiB: 50 },
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
      ...courseTaskSize,
      minTasks: 3,
      maxTasks: 6,
      cpuTargetPercent: 60,
      requestsPerTargetPerMinute: 3000,
    },
    waf: true,
    wafRateLimitPer5Min: 2000,
    // Set at deploy time (CLOUD_TODO_ALARM_EMAILS): a synth of prod without one fails.
    alarmEmails: [],
    alarmEmailsRequired: true,
  },
};

export type ProfileName = keyof typeof PROFILES;

export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(PROFILES, name);
}
