import { PLACEHOLDER_ACCOUNT, PROFILES, type Profile } from '../src/profile.ts';

/** The image tag every test synth uses (a commit-shaped tag, as deploys use). */
export const TEST_IMAGE_TAG = '0123abc';

/** The lab role of the `lab` variant (in the placeholder account the profiles synthesize for). */
export const LAB_ROLE_ARN = `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:role/LabRole`;

/**
 * What the tests synthesize: the committed profiles (prod with the alarm address a deploy must
 * give it), prod with every option on (a domain for HTTPS, backup copies to a second
 * region), and the course profile in a lab account (`labRoleArn`: no IAM roles).
 */
export const VARIANTS = {
  dev: PROFILES.dev,
  course: PROFILES.course,
  prod: { ...PROFILES.prod, alarmEmails: ['oncall@example.org'] },
  https: {
    ...PROFILES.prod,
    name: 'https',
    domain: {
      name: 'todo.example.org',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      zoneName: 'example.org',
    },
    alarmEmails: ['ops@example.org'],
    backup: { ...PROFILES.prod.backup, copyToRegion: 'us-west-2' },
  },
  /** The class's profile in a lab account that may not create IAM roles (one LabRole). */
  lab: { ...PROFILES.course, labRoleArn: LAB_ROLE_ARN },
} satisfies Record<string, Profile>;

export type Variant = keyof typeof VARIANTS;

/** One acknowledged cdk-nag finding, as recorded in the construct tree. */
export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** What the global setup hands to the test files for one variant. */
export interface SynthResult {
  /** The synth error (a cdk-nag finding not acknowledged throws here), if any. */
  readonly error?: string;
  readonly stateful?: Record<string, unknown>;
  readonly services?: Record<string, unknown>;
  readonly migration?: Record<string, unknown>;
  /** The second-region vault's stack, when the variant copies backups. */
  readonly backupCopy?: Record<string, unknown>;
  readonly statefulTerminationProtection?: boolean;
  /** Violations left in the policy validation report after acknowledgements. */
  readonly violations?: readonly unknown[];
  /** Context lookups the synth would have needed (must be none). */
  readonly missingContext?: readonly unknown[];
  readonly acknowledgements?: readonly Acknowledgement[];
  readonly seconds?: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    synth: Record<Variant, SynthResult>;
  }
}
