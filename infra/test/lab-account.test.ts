import { CliCredentialsStackSynthesizer, FileAssetPackaging } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { validateProfile } from '../src/profile-validation.ts';
import { LAB_ROLE_ARN } from './synth-variants.ts';
import { resourcesOf, synthResult, templates, TEST_IMAGE_TAG, VARIANTS } from './templates.ts';

type Json = Record<string, unknown>;

/** Every value in a template whose key names a role (`Role`, `RoleArn`, `…RoleArn`, …). */
function roleReferences(template: Json): { where: string; value: unknown }[] {
  const found: { where: string; value: unknown }[] = [];
  const walk = (node: unknown, where: string) => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Json)) {
      if (/(Role|RoleArn|PermissionArn)$/.test(key))
        found.push({ where: `${where}.${key}`, value });
      walk(value, `${where}.${key}`);
    }
  };
  walk(template.Resources, 'Resources');
  walk(template.Outputs, 'Outputs');
  return found;
}

/**
 * A lab account (AWS Academy Learner Lab and the like) may not create IAM roles and offers one
 * precreated role. With `labRoleArn` the app must create no role or policy at all and run
 * everything as that role.
 */
describe('lab account (course profile with labRoleArn)', () => {
  const result = synthResult('lab');
  const stacks = {
    stateful: result.stateful as Json,
    migration: result.migration as Json,
    services: result.services as Json,
  };

  // cdk-nag, acknowledgements and lookups: security-gate.test.ts, as for every variant.

  it.each(Object.keys(stacks) as (keyof typeof stacks)[])(
    'creates no IAM role, policy or other IAM resource (%s)',
    (name) => {
      const types = Object.values(stacks[name].Resources as Record<string, { Type: string }>).map(
        (r) => r.Type,
      );
      expect(types.filter((t) => t.startsWith('AWS::IAM::'))).toEqual([]);
    },
  );

  it('runs every task, function, flow log and backup as the lab role', () => {
    const references = Object.entries(stacks).flatMap(([name, template]) =>
      roleReferences(template).map((r) => ({ ...r, where: `${name} ${r.where}` })),
    );
    const expected = [
      'migration Resources.MigrationTask2EA9AC9B.Properties.TaskRoleArn',
      'migration Resources.MigrationTask2EA9AC9B.Properties.ExecutionRoleArn',
      'services Resources.ApiTask027E39A0.Properties.TaskRoleArn',
      'services Resources.ApiTask027E39A0.Properties.ExecutionRoleArn',
      'services Resources.WebTask30236CB9.Properties.TaskRoleArn',
      'services Resources.WebTask30236CB9.Properties.ExecutionRoleArn',
      'stateful Resources.NetworkVpcFlowLog9B71FB8D.Properties.DeliverLogsPermissionArn',
      'stateful Resources.BackupPlanDatabaseDDF1CC0D.Properties.BackupSelection.IamRoleArn',
      'stateful Outputs.BackupRestoreRoleArn',
    ];
    expect(references.map((r) => r.where)).toEqual(expect.arrayContaining(expected));
    // The two Lambda functions CDK adds (log retention, default security group).
    expect(references.filter((r) => r.where.endsWith('.Properties.Role'))).toHaveLength(2);
    for (const { where, value } of references) {
      const arn = where.startsWith('stateful Outputs') ? (value as Json).Value : value;
      expect(arn, where).toBe(LAB_ROLE_ARN);
    }
  });

  it('needs no CDK bootstrap: no bootstrap version check in any template', () => {
    for (const template of Object.values(stacks)) {
      expect(template.Parameters ?? {}).not.toHaveProperty('BootstrapVersion');
      expect(template.Rules ?? {}).not.toHaveProperty('CheckBootstrapVersion');
    }
    // …which the default synthesizer does add (so the check above can fail).
    expect(synthResult('course').stateful?.Parameters).toHaveProperty('BootstrapVersion');
  });

  it('does not rotate the database password (the rotation function needs a role of its own)', () => {
    const { stateful, services } = templates('lab');
    stateful.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    stateful.resourceCountIs('AWS::Serverless::Application', 0);
    expect(stacks.stateful.Transform).toBeUndefined();
    services.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    // The course profile without the switch keeps both.
    templates('course').stateful.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    templates('course').services.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  it('keeps the rest of the course environment: backups, ECS Exec, alarms', () => {
    const { stateful, services } = templates('lab');
    stateful.resourceCountIs('AWS::Backup::BackupPlan', 1);
    stateful.resourceCountIs('AWS::RDS::DBInstance', 1);
    const ecsServices = Object.values(resourcesOf(services, 'AWS::ECS::Service'));
    expect(ecsServices.map((s) => s.Properties?.EnableExecuteCommand)).toEqual([true, true]);
    expect(Object.keys(resourcesOf(services, 'AWS::CloudWatch::Alarm')).length).toBe(
      Object.keys(resourcesOf(templates('course').services, 'AWS::CloudWatch::Alarm')).length,
    );
  });

  it('uploads assets with the CLI credentials to a bucket named after account and region', () => {
    const { stateful } = buildApp({ profile: VARIANTS.lab, imageTag: TEST_IMAGE_TAG });
    expect(stateful.synthesizer).toBeInstanceOf(CliCredentialsStackSynthesizer);
    const location = stateful.synthesizer.addFileAsset({
      sourceHash: 'probe',
      fileName: 'probe.txt',
      packaging: FileAssetPackaging.FILE,
    });
    expect(stateful.resolve(location.bucketName)).toBe('cloud-todo-assets-111111111111-us-east-1');
  });

  it('refuses the GitHub deploy role, which is a role and an OIDC provider of its own', () => {
    expect(() =>
      buildApp({
        profile: VARIANTS.lab,
        imageTag: TEST_IMAGE_TAG,
        deployRole: { repository: 'owner/cloud-todo' },
      }),
    ).toThrow(/deploy role.*lab account/);
  });

  it('takes only a path-less role ARN of the account deployed to', () => {
    expect(() => validateProfile({ ...VARIANTS.lab, labRoleArn: 'LabRole' })).toThrow(
      /labRoleArn: a role ARN/,
    );
    expect(() =>
      validateProfile({ ...VARIANTS.lab, labRoleArn: 'arn:aws:iam::222222222222:role/LabRole' }),
    ).toThrow(/labRoleArn: the role must be in the account deployed to/);
    expect(() =>
      validateProfile({ ...VARIANTS.lab, labRoleArn: 'arn:aws:iam::111111111111:role/x/LabRole' }),
    ).toThrow(/labRoleArn/);
  });
});
