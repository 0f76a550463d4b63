/**
 * npm run restore -w infra -- <profile> (--to <ISO time> | --latest | --recovery-point <arn>) [--dry-run]
 *
 * Restores the profile's database and puts it in place (src/ops/restore.ts, docs/backup.md).
 * AWS credentials and region as the AWS CLI finds them (AWS_PROFILE, AWS_REGION, …); the
 * region defaults to the profile's. `--dry-run` prints the plan; it only reads the stacks'
 * outputs (for the real names), and without credentials names the outputs instead.
 * Exit codes: 0 done, 1 the restore failed (the message says where), 2 bad arguments.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { OperationError, SYSTEM_CLOCK } from '../src/ops/operation-error.ts';
import { dryRunPlan, parseRestoreArgs, restoreSummary, runRestore } from '../src/ops/restore.ts';
import { PROFILES } from '../src/profile.ts';

let options;
try {
  options = parseRestoreArgs(process.argv.slice(2));
} catch (error) {
  console.error(`restore: ${(error as Error).message}`);
  process.exit(2);
}
const profile = PROFILES[options.profileName];

const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? profile.region;
if (options.dryRun) {
  // Reads the stack outputs (if it can) to print the real names; changes nothing.
  const cloudFormation = new CloudFormationClient({ region, maxAttempts: 1 });
  for (const line of await dryRunPlan(options, cloudFormation, new Date())) console.log(line);
  process.exit(0);
}

const clients = {
  rds: new RDSClient({ region }),
  backup: new BackupClient({ region }),
  secrets: new SecretsManagerClient({ region }),
  ecs: new ECSClient({ region }),
  cloudFormation: new CloudFormationClient({ region }),
};
try {
  const report = await runRestore({
    options,
    clients,
    clock: SYSTEM_CLOCK,
    log: (line) => console.log(line),
  });
  for (const line of restoreSummary(report, profile)) console.log(line);
} catch (error) {
  const message = error instanceof OperationError ? error.message : String(error);
  console.error(`restore: failed: ${message}`);
  process.exit(1);
}
