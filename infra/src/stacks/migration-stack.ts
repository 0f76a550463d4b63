import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MigrationTask } from '../constructs/migration-task.ts';
import type { Profile } from '../profile.ts';
import { MIGRATION_OUTPUTS } from '../stack-outputs.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface MigrationStackProps extends StackProps {
  readonly profile: Profile;
  readonly stateful: StatefulStack;
  /** The git commit the api image is tagged with. */
  readonly imageTag: string;
}

/**
 * Stateless, deployed between the stateful stack and the service stack: the migration task
 * definition for the image tag being deployed (infra/scripts/deploy.sh runs it and waits).
 */
export class MigrationStack extends Stack {
  readonly migration: MigrationTask;

  constructor(scope: Construct, id: string, props: MigrationStackProps) {
    super(scope, id, props);
    const { profile, stateful, imageTag } = props;
    this.migration = new MigrationTask(this, 'Migration', {
      vpc: stateful.network.vpc,
      repository: stateful.images.repositories.api,
      imageTag,
      secret: stateful.database.secret,
      logRetentionDays: profile.logRetentionDays,
    });
    const subnets = stateful.network.vpc.selectSubnets({ subnetGroupName: 'app' }).subnetIds;
    new CfnOutput(this, MIGRATION_OUTPUTS.cluster, { value: this.migration.cluster.clusterArn });
    new CfnOutput(this, MIGRATION_OUTPUTS.taskDefinition, {
      value: this.migration.taskDefinition.taskDefinitionArn,
    });
    new CfnOutput(this, MIGRATION_OUTPUTS.subnets, { value: subnets.join(',') });
    // The api's security group: the only one the database accepts connections from.
    new CfnOutput(this, MIGRATION_OUTPUTS.securityGroup, {
      value: stateful.network.apiSecurityGroup.securityGroupId,
    });
    new CfnOutput(this, MIGRATION_OUTPUTS.logGroup, {
      value: this.migration.logGroup.logGroupName,
    });
  }
}
