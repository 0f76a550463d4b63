import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOf, templates, VARIANTS, type Variant } from './templates.ts';

describe.each(['dev', 'prod'] as Variant[])('database (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const db = profile.database;
  const { stateful } = templates(variant);
  const instance = () => Object.values(resourcesOf(stateful, 'AWS::RDS::DBInstance'))[0]!;

  it('is PostgreSQL 18, private, encrypted with the database KMS key, gp3 with storage autoscaling', () => {
    stateful.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^18\\.'),
      DBInstanceClass: `db.${db.instanceType}`,
      PubliclyAccessible: false,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      StorageType: 'gp3',
      AllocatedStorage: String(db.allocatedStorageGiB),
      MaxAllocatedStorage: db.maxAllocatedStorageGiB,
    });
  });

  it(`is ${db.multiAz ? 'Multi-AZ' : 'single-AZ'} in the isolated subnets`, () => {
    expect(instance().Properties?.MultiAZ).toBe(db.multiAz);
    const subnetGroup = Object.values(resourcesOf(stateful, 'AWS::RDS::DBSubnetGroup'))[0]!;
    const refs = (subnetGroup.Properties?.SubnetIds as { Ref: string }[]).map((r) => r.Ref);
    expect(refs).toHaveLength(profile.availabilityZones.length);
    for (const ref of refs) expect(ref).toMatch(/dataSubnet/);
  });

  it('forces TLS (1.2 or later) through its parameter group', () => {
    stateful.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' }),
    });
  });

  it(`keeps automated backups (PITR) for ${db.backupRetentionDays} days, exports logs, has Performance Insights`, () => {
    stateful.hasResourceProperties('AWS::RDS::DBInstance', {
      BackupRetentionPeriod: db.backupRetentionDays,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'],
      },
    });
    stateful.hasResourceProperties('Custom::LogRetention', {
      LogGroupName: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      RetentionInDays: profile.logRetentionDays,
    });
  });

  it(
    db.deletionProtection
      ? 'is deletion-protected and leaves a final snapshot when deleted'
      : 'can be torn down (dev): no deletion protection, no final snapshot',
    () => {
      expect(instance().Properties?.DeletionProtection).toBe(db.deletionProtection);
      expect(instance().DeletionPolicy).toBe(db.deletionProtection ? 'Snapshot' : 'Delete');
    },
  );

  it('generates credentials into Secrets Manager with the keys the API reads, and rotates them', () => {
    stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ username: 'todo', dbname: 'todo' }),
        GenerateStringKey: 'password',
      }),
    });
    // The attachment adds host and port once the instance exists.
    stateful.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      TargetType: 'AWS::RDS::DBInstance',
    });
    stateful.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: `rate(${db.secretRotationDays} days)` },
    });
    // The rotation function runs where it can reach Secrets Manager (private subnets with NAT).
    const rotation = Object.values(resourcesOf(stateful, 'AWS::Serverless::Application'))[0]!;
    const subnets = JSON.stringify(
      (rotation.Properties?.Parameters as Record<string, unknown>).vpcSubnetIds,
    );
    expect(subnets).toMatch(/appSubnet1/);
    expect(subnets).not.toMatch(/dataSubnet|publicSubnet/);
    expect(JSON.stringify(instance().Properties)).not.toMatch(/MasterUserPassword":"[^{]/);
  });
});
