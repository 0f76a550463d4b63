import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { OperationError } from './operation-error.ts';

/** The outputs of one deployed stack, by key; fails clearly when the stack or a key is missing. */
export async function readStackOutputs<K extends string>(
  cloudFormation: CloudFormationClient,
  stackName: string,
  keys: readonly K[],
): Promise<Record<K, string>> {
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = answer.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw new OperationError(
      `cannot read the stack ${stackName}: ${(error as Error).message}. Is it deployed, and are the AWS credentials and region (AWS_REGION) those of its account?`,
    );
  }
  const values = new Map(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const missing = keys.filter((k) => !values.get(k));
  if (missing.length > 0) {
    throw new OperationError(
      `the stack ${stackName} has no output ${missing.join(', ')}: deploy the current version first (npm run deploy -w infra)`,
    );
  }
  return Object.fromEntries(keys.map((k) => [k, values.get(k)!])) as Record<K, string>;
}
