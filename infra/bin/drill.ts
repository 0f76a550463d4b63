/**
 * npm run drill -w infra -- <profile> <failover|alarm|scale> [--dry-run]
 *
 * Runs one operations drill against the deployed profile and prints its measured result
 * (src/ops/drills.ts, docs/deploy.md). AWS credentials and region as the AWS CLI finds them.
 * Exit codes: 0 done, 1 the drill failed, 2 bad arguments.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { drillPlan, parseDrillArgs, runDrill } from '../src/ops/drills.ts';
import { OperationError, SYSTEM_CLOCK } from '../src/ops/operation-error.ts';
import { PROFILES } from '../src/profile.ts';

let options;
try {
  options = parseDrillArgs(process.argv.slice(2));
} catch (error) {
  console.error(`drill: ${(error as Error).message}`);
  process.exit(2);
}
for (const line of drillPlan(options)) console.log(line);
if (options.dryRun) {
  console.log('(dry run: nothing was called)');
  process.exit(0);
}

const region =
  process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? PROFILES[options.profileName].region;
try {
  const result = await runDrill({
    options,
    clients: {
      rds: new RDSClient({ region }),
      ecs: new ECSClient({ region }),
      cloudWatch: new CloudWatchClient({ region }),
      cloudFormation: new CloudFormationClient({ region }),
    },
    clock: SYSTEM_CLOCK,
    log: (line) => console.log(line),
    fetch,
  });
  console.log(result.summary);
} catch (error) {
  const message = error instanceof OperationError ? error.message : String(error);
  console.error(`drill: failed: ${message}`);
  process.exit(1);
}
