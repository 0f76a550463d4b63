/**
 * Stack names and the outputs that the operator commands (deploy, restore, drills) read with
 * `aws cloudformation describe-stacks`. Plain data, shared by the stacks that write the
 * outputs and the commands that read them, so that a renamed output fails a test, not a restore.
 */

/** The stacks of one profile. */
export function stackNames(profileName: string) {
  const prefix = `CloudTodo-${profileName}`;
  return {
    stateful: `${prefix}-Stateful`,
    migration: `${prefix}-Migration`,
    services: `${prefix}-Services`,
  } as const;
}

/** Outputs of the stateful stack. */
export const STATEFUL_OUTPUTS = {
  apiRepositoryUri: 'ApiRepositoryUri',
  webRepositoryUri: 'WebRepositoryUri',
  databaseSecretArn: 'DatabaseSecretArn',
  databaseInstanceId: 'DatabaseInstanceId',
  databaseParameterGroup: 'DatabaseParameterGroupName',
  databaseSubnetGroup: 'DatabaseSubnetGroupName',
  databaseSecurityGroup: 'DatabaseSecurityGroupId',
  databaseKeyArn: 'DatabaseKeyArn',
  backupVaultName: 'BackupVaultName',
  backupRestoreRoleArn: 'BackupRestoreRoleArn',
} as const;

/** Outputs of the service stack. */
export const SERVICE_OUTPUTS = {
  appUrl: 'AppUrl',
  dashboardUrl: 'DashboardUrl',
  alarmTopicArn: 'AlarmTopicArn',
  clusterName: 'ClusterName',
  apiServiceName: 'ApiServiceName',
  webServiceName: 'WebServiceName',
  apiLogGroup: 'ApiLogGroup',
  webLogGroup: 'WebLogGroup',
  execSessionLogGroup: 'ExecSessionLogGroup',
} as const;

/** Outputs of the migration stack (the deploy script runs its task). */
export const MIGRATION_OUTPUTS = {
  cluster: 'MigrationClusterArn',
  taskDefinition: 'MigrationTaskDefinitionArn',
  subnets: 'MigrationSubnetIds',
  securityGroup: 'MigrationSecurityGroupId',
  logGroup: 'MigrationLogGroup',
} as const;
