import { describe, expect, it } from 'vitest';
import { resourcesOf, synthResult, templates, type Variant } from './templates.ts';

/**
 * The logical ids of the stateful resources. A changed id makes CloudFormation create a new
 * resource and delete the old one: a new, empty database. Change this list only together
 * with a migration plan.
 */
const PINNED: Record<string, string> = {
  'AWS::EC2::VPC': 'NetworkVpc7FB7348F',
  'AWS::RDS::DBInstance': 'DatabaseInstanceAA8A5FDE',
  'AWS::SecretsManager::Secret': 'DatabaseSecret3B817195',
  'AWS::Backup::BackupVault': 'BackupVaultADF21B19',
  'AWS::S3::Bucket': 'AccessLogsBucketCD784A59',
};
const PINNED_PAIRS: Record<string, string[]> = {
  'AWS::ECR::Repository': ['ImagesApi9B122842', 'ImagesWeb0FFC3EA6'],
  'AWS::KMS::Key': ['BackupVaultKeyE450C7BA', 'DatabaseKey5E5D9547'],
};

describe.each(['dev', 'prod'] as Variant[])('stateful stack (%s)', (variant) => {
  const { stateful } = templates(variant);

  it('pins the logical ids of its stateful resources', () => {
    for (const [type, id] of Object.entries(PINNED)) {
      expect(Object.keys(resourcesOf(stateful, type)), type).toEqual([id]);
    }
    for (const [type, ids] of Object.entries(PINNED_PAIRS)) {
      expect(Object.keys(resourcesOf(stateful, type)).sort(), type).toEqual(ids);
    }
  });

  it('is termination-protected', () => {
    expect(synthResult(variant).statefulTerminationProtection).toBe(true);
  });

  it('retains what holds data when the stack or resource goes away', () => {
    const retained = [
      'AWS::Backup::BackupVault',
      'AWS::ECR::Repository',
      'AWS::S3::Bucket',
      'AWS::KMS::Key',
    ];
    for (const type of retained) {
      for (const [id, resource] of Object.entries(resourcesOf(stateful, type))) {
        expect(resource.DeletionPolicy, `${type} ${id}`).toBe('Retain');
        expect(resource.UpdateReplacePolicy, `${type} ${id}`).toBe('Retain');
      }
    }
  });
});
