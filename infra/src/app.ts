import { App, CfnResource, CliCredentialsStackSynthesizer, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Profile } from './profile.ts';
import {
  labAssetBucket,
  labRoleName,
  validateImageTag,
  validateProfile,
} from './profile-validation.ts';
import { stackNames } from './stack-outputs.ts';
import { BackupCopyStack, backupCopyVaultName } from './stacks/backup-copy-stack.ts';
import { MigrationStack } from './stacks/migration-stack.ts';
import { DeployRoleStack } from './stacks/deploy-role-stack.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

export interface CloudTodoAppOptions {
  readonly profile: Profile;
  /** The git commit both images are tagged with. */
  readonly imageTag: string;
  /** Where the cloud assembly goes (tests use a temporary folder). */
  readonly outdir?: string;
  /** Extra context (the CLI passes cdk.json's context through the environment itself). */
  readonly context?: Record<string, unknown>;
  /** The GitHub deploy role's stack (optional, docs/deploy.md): `owner/name` and branch. */
  readonly deployRole?: {
    readonly repository: string;
    readonly branch?: string;
    readonly existingProviderArn?: string;
  };
}

export interface CloudTodoApp {
  readonly app: App;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  /** The schema-migration task of the image tag, run by the deploy before the services update. */
  readonly migration: MigrationStack;
  /** The second-region vault's stack, when the profile copies backups. */
  readonly backupCopy?: BackupCopyStack;
  /** The role GitHub Actions deploys with, when asked for. */
  readonly deployRole?: DeployRoleStack;
}

/**
 * Builds the whole app for one profile: both stacks and the cdk-nag AWS Solutions gate.
 * Used by bin/ (the CLI) and by the tests, so that both synthesize the same thing.
 */
export function buildApp(options: CloudTodoAppOptions): CloudTodoApp {
  const profile = validateProfile(options.profile);
  const imageTag = validateImageTag(options.imageTag);
  if (!profile.labRoleArn) return addStacks(newApp(profile, options), profile, imageTag, options);
  // A lab account: every role the app would create is the lab role. CDK substitutes a role
  // only when its construct path is named, so a first build of the same app (never
  // synthesized) lists the paths; a role the list misses fails the synth, it is never created.
  // autoSynth off: under the CLI an App synthesizes itself at exit unless told not to, which
  // would overwrite the real templates with the probe's.
  const probeApp = newApp(profile, options, false);
  if (options.deployRole?.repository ?? probeApp.node.tryGetContext('deployRoleRepository')) {
    // The deploy role is an IAM role and an OIDC provider of its own: a lab account has neither.
    throw new Error(
      'The GitHub deploy role (deployRoleRepository) cannot be created in a lab account (labRoleArn): deploy from a terminal there (docs/deploy.md).',
    );
  }
  const probe = addStacks(probeApp, profile, imageTag, options).app;
  const roleName = labRoleName(profile.labRoleArn);
  const app = newApp(profile, options);
  iam.Role.customizeRoles(app, {
    usePrecreatedRoles: Object.fromEntries(rolePaths(probe).map((path) => [path, roleName])),
  });
  return addStacks(app, profile, imageTag, options);
}

function newApp(profile: Profile, options: CloudTodoAppOptions, autoSynth?: boolean): App {
  return new App({
    autoSynth,
    outdir: options.outdir,
    context: {
      ...CURRENTLY_RECOMMENDED_FLAGS,
      // The profile names its availability zones; stating them as the answer to the AZ
      // lookup means synth never calls AWS, for the placeholder account or a real one.
      [`availability-zones:account=${profile.account}:region=${profile.region}`]: [
        ...profile.availabilityZones,
      ],
      ...options.context,
    },
    // A lab account cannot run `cdk bootstrap` (it creates roles): the CLI's own credentials
    // deploy, and the assets go to a bucket the student creates once (docs/deploy.md).
    defaultStackSynthesizer: profile.labRoleArn
      ? new CliCredentialsStackSynthesizer({
          fileAssetsBucketName: labAssetBucket('${AWS::AccountId}', '${AWS::Region}'),
        })
      : undefined,
  });
}

/** The construct paths of every IAM role in the app, as `Role.customizeRoles` names them. */
function rolePaths(app: App): string[] {
  return app.node
    .findAll()
    .filter((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::IAM::Role')
    .map((c) => c.node.path.replace(/\/Resource$/, ''));
}

function addStacks(
  app: App,
  profile: Profile,
  imageTag: string,
  options: CloudTodoAppOptions,
): CloudTodoApp {
  const env = { account: profile.account, region: profile.region };
  const prefix = `CloudTodo-${profile.name}`;
  const names = stackNames(profile.name); // also read by the operator commands
  const copyRegion = profile.backup.copyToRegion;
  let backupCopy: BackupCopyStack | undefined;
  let backupCopyVaultArn: string | undefined;
  if (copyRegion) {
    const vaultName = backupCopyVaultName(profile.name);
    backupCopy = new BackupCopyStack(app, `${prefix}-BackupCopy`, {
      env: { account: profile.account, region: copyRegion },
      vaultName,
      description: `cloud-todo ${profile.name}: the vault that receives backup copies (stateful)`,
    });
    // Named by its fixed name: no cross-region reference between the stacks.
    backupCopyVaultArn = `arn:aws:backup:${copyRegion}:${profile.account}:backup-vault:${vaultName}`;
  }
  const stateful = new StatefulStack(app, names.stateful, {
    env,
    profile,
    backupCopyVaultArn,
    description: `cloud-todo ${profile.name}: network, database, backups, image repositories (stateful)`,
  });
  const migration = new MigrationStack(app, names.migration, {
    env,
    profile,
    stateful,
    imageTag,
    description: `cloud-todo ${profile.name}: the one-off schema migration task (stateless)`,
  });
  migration.addStackDependency(stateful);
  const stateless = new StatelessStack(app, names.services, {
    env,
    profile,
    stateful,
    imageTag,
    description: `cloud-todo ${profile.name}: ECS services, load balancer, scaling, monitoring (stateless)`,
  });
  stateless.addStackDependency(stateful);
  if (backupCopy) stateful.addStackDependency(backupCopy);
  // From the options, or from the CLI's context: `-c deployRoleRepository=owner/name`
  // (optionally `-c deployRoleBranch=…`, `-c deployRoleProviderArn=…`).
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const repository = options.deployRole?.repository ?? context('deployRoleRepository');
  const deployRole = repository
    ? new DeployRoleStack(app, `${prefix}-DeployRole`, {
        env,
        repository,
        branch: options.deployRole?.branch ?? context('deployRoleBranch'),
        existingProviderArn:
          options.deployRole?.existingProviderArn ?? context('deployRoleProviderArn'),
        tagPattern: 'v*',
        profileName: profile.name,
        otherRegions: copyRegion ? [copyRegion] : [],
        repositories: Object.values(stateful.images.repositories),
        description: `cloud-todo ${profile.name}: the role GitHub Actions deploys with (OIDC)`,
      })
    : undefined;
  Tags.of(app).add('project', 'cloud-todo');
  Tags.of(app).add('profile', profile.name);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless, migration, backupCopy, deployRole };
}
