/**
 * The CDK app entry point, the only place that reads the environment.
 *
 *   npx cdk synth -c profile=prod -c imageTag=$(git rev-parse --short HEAD)
 *
 * Context: `profile` (dev | course | prod, default dev), `imageTag` (git commit; default: the
 * checkout's HEAD), `labRoleArn` (a lab account's precreated role: no IAM roles are created,
 * docs/deploy.md). Environment: CDK_DEPLOY_ACCOUNT (else the CLI's CDK_DEFAULT_ACCOUNT,
 * else a placeholder that only synthesizes), CLOUD_TODO_ALARM_EMAILS (comma-separated; prod
 * refuses to synthesize without one unless CLOUD_TODO_ALARM_EMAILS_OPT_OUT gives the reason),
 * CLOUD_TODO_DOMAIN + CLOUD_TODO_HOSTED_ZONE_ID + CLOUD_TODO_ZONE_NAME (HTTPS),
 * CLOUD_TODO_BACKUP_COPY_REGION (a second region that receives backup copies); read in
 * src/profile-environment.ts, where an empty or blank value counts as unset.
 */
import { execFileSync } from 'node:child_process';
import { enableCompileCache } from 'node:module';
import type { Profile } from '../src/profile.ts';

// aws-cdk-lib and cdk-monitoring-constructs are large: caching their compiled code (in the
// OS temp folder) saves about a third of the CPU time of every synth after the first.
enableCompileCache();
const { App } = await import('aws-cdk-lib');
const { buildApp } = await import('../src/app.ts');
const { isProfileName, PROFILES } = await import('../src/profile.ts');
const { profileWithEnvironment } = await import('../src/profile-environment.ts');
const { profileNotes } = await import('../src/profile-validation.ts');

// Read the CLI's context without building a second app's constructs.
const context = new App({ autoSynth: false });
const profileName = String(context.node.tryGetContext('profile') ?? 'dev');
if (!isProfileName(profileName)) {
  console.error(
    `Unknown profile "${profileName}"; choose one of: ${Object.keys(PROFILES).join(', ')}`,
  );
  process.exit(1);
}
const imageTag = String(
  context.node.tryGetContext('imageTag') ??
    execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
);

// The environment's overrides, an empty or blank variable counting as unset (the deploy
// workflow passes an unset repository variable as an empty string).
const withEnvironment = profileWithEnvironment(PROFILES[profileName], process.env);
// A lab account's precreated role (`-c labRoleArn=arn:aws:iam::<account>:role/LabRole`):
// the app then creates no IAM roles (docs/deploy.md, "Lab accounts").
const labRoleArn = context.node.tryGetContext('labRoleArn') as string | undefined;
const profile: Profile = labRoleArn?.trim()
  ? { ...withEnvironment, labRoleArn: labRoleArn.trim() }
  : withEnvironment;

try {
  buildApp({ profile, imageTag }).app.synth();
  for (const note of profileNotes(profile)) console.warn(`\n*** NOTE: ${note}\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
