import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** GitHub's OIDC issuer (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services). */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface DeployRoleStackProps extends StackProps {
  /** The repository allowed to assume the role, as `owner/name`. */
  readonly repository: string;
  /** The branch whose workflow runs may deploy (default `main`). */
  readonly branch?: string;
  /**
   * A tag pattern whose workflow runs may deploy as well (StringLike, e.g. `v*`); none when
   * absent, so that only the branch deploys.
   */
  readonly tagPattern?: string;
  /**
   * The ARN of an IAM OIDC provider for GitHub that the account already has (an account
   * holds one per issuer URL); a new provider is created when absent.
   */
  readonly existingProviderArn?: string;
  /** The profile whose stacks this role deploys (`CloudTodo-<profile>-…`). */
  readonly profileName: string;
  /** The image repositories the workflow pushes to. */
  readonly repositories: readonly ecr.IRepository[];
  /** The CDK bootstrap qualifier (default `hnb659fds`, the CLI's default). */
  readonly bootstrapQualifier?: string;
  /**
   * Further regions the deploy reaches besides the stack's own: the profile's backup-copy
   * region, whose stack `cdk deploy` deploys first (through that region's bootstrap roles).
   */
  readonly otherRegions?: readonly string[];
}

/**
 * The role that GitHub Actions assumes to deploy cloud-todo: no stored keys, a token that
 * GitHub's OIDC provider issues for one repository and branch, and only what the deploy
 * command does — assume the CDK bootstrap roles (CloudFormation does the rest through
 * them), push the two images, read stack outputs, run the one-off migration task.
 */
export class DeployRoleStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeployRoleStackProps) {
    super(scope, id, props);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) {
      throw new Error(`deploy role: repository must be "owner/name", got "${props.repository}"`);
    }
    const branch = props.branch ?? 'main';
    if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('*')) {
      throw new Error(`deploy role: branch must be one branch name, got "${branch}"`);
    }
    const qualifier = props.bootstrapQualifier ?? 'hnb659fds';
    const { account, region } = Stack.of(this);

    const providerArn =
      props.existingProviderArn ??
      new iam.OidcProviderNative(this, 'GitHubOidcProvider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIds: ['sts.amazonaws.com'],
      }).oidcProviderArn;

    const subjects = [`repo:${props.repository}:ref:refs/heads/${branch}`];
    if (props.tagPattern)
      subjects.push(`repo:${props.repository}:ref:refs/tags/${props.tagPattern}`);
    this.role = new iam.Role(this, 'GitHubDeployRole', {
      description: `cloud-todo ${props.profileName}: deploys from GitHub Actions (${props.repository}@${branch})`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.FederatedPrincipal(
        providerArn,
        {
          StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' },
          // StringLike for the tag pattern; the branch subject has no wildcard (checked above).
          StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subjects },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
    });

    // CloudFormation changes go through the bootstrap roles, as `cdk deploy` does for anyone.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [region, ...(props.otherRegions ?? [])].flatMap((r) =>
          ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
            (kind) =>
              `arn:${this.partition}:iam::${account}:role/cdk-${qualifier}-${kind}-role-${account}-${r}`,
          ),
        ),
      }),
    );

    // The images are pushed by the deploy command itself (docker push), to these two only.
    for (const repository of props.repositories) {
      repository.grantPullPush(this.role);
      repository.grant(this.role, 'ecr:DescribeImages'); // skip an image that is already there
    }

    const stacks = `arn:${this.partition}:cloudformation:${region}:${account}:stack/CloudTodo-${props.profileName}-*/*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadStackOutputs',
        actions: ['cloudformation:DescribeStacks'],
        resources: [stacks],
      }),
    );

    // The migration task: run the task definition of this profile's stacks in its cluster,
    // hand it its own roles, and wait for it and read its log.
    // Generated names start with the stack name; CDK's default task definition family is
    // the construct path without hyphens (CloudTodoprodServices…).
    const prefix = `CloudTodo-${props.profileName}-`;
    const ecsArn = `arn:${this.partition}:ecs:${region}:${account}`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunMigrationTask',
        actions: ['ecs:RunTask'],
        resources: [
          `${ecsArn}:task-definition/${prefix}*:*`,
          `${ecsArn}:task-definition/CloudTodo${props.profileName}*:*`,
        ],
        conditions: { ArnLike: { 'ecs:cluster': `${ecsArn}:cluster/${prefix}*` } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TagMigrationTaskOnRun',
        actions: ['ecs:TagResource'],
        resources: [`${ecsArn}:task/${prefix}*/*`],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WatchMigrationTask',
        actions: ['ecs:DescribeTasks'],
        resources: [`${ecsArn}:task/${prefix}*/*`],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTaskDefinitions',
        // DescribeTaskDefinition and DescribeServices name no resource type that a policy can
        // scope (Service Authorization Reference, Amazon ECS).
        actions: ['ecs:DescribeTaskDefinition'],
        resources: ['*'],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassTaskRoles',
        actions: ['iam:PassRole'],
        resources: [`arn:${this.partition}:iam::${account}:role/${prefix}*`],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadMigrationLog',
        actions: ['logs:GetLogEvents', 'logs:FilterLogEvents'],
        resources: [`arn:${this.partition}:logs:${region}:${account}:log-group:${prefix}*:*`],
      }),
    );

    // cdk-nag's IAM5 finds each wildcard on its own; each gets its reason.
    const reasons: Record<string, string> = {
      '*': 'ecr:GetAuthorizationToken (docker login) and ecs:DescribeTaskDefinition have no resource type that a policy can scope (Service Authorization Reference for ECR and ECS).',
      [stacks]: `Reads the outputs (image repository URIs, app URL) of this profile's stacks only; stack ARNs end in a generated id.`,
      [`${ecsArn}:task-definition/${prefix}*:*`]: `Runs any revision of this profile's task definitions (the migration task is the api image), only in this profile's cluster (ecs:cluster condition).`,
      [`${ecsArn}:task-definition/CloudTodo${props.profileName}*:*`]: `The same task definitions under CDK's default family name (the construct path without hyphens); still only in this profile's cluster.`,
      [`${ecsArn}:task/${prefix}*/*`]: `Watches and tags (at RunTask only) tasks of this profile's cluster; task ids are generated at run time.`,
      [`arn:${this.partition}:iam::${account}:role/${prefix}*`]: `Passes only this profile's task and execution roles (generated names start with the stack name), only to ecs-tasks.amazonaws.com.`,
      [`arn:${this.partition}:logs:${region}:${account}:log-group:${prefix}*:*`]: `Reads the migration task's log from this profile's log groups (generated names start with the stack name) to show why a migration failed.`,
    };
    for (const [resource, reason] of Object.entries(reasons)) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.resolve(resource) as string}]`,
        reason,
      });
    }

    new CfnOutput(this, 'DeployRoleArn', {
      value: this.role.roleArn,
      description: 'Set as the repository variable AWS_DEPLOY_ROLE_ARN (docs/deploy.md)',
    });
  }
}
