import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { resourcesOf, synthResult, templates, VARIANTS, type Variant } from './templates.ts';

describe.each(['dev', 'prod'] as Variant[])('backup (%s)', (variant) => {
  const profile = VARIANTS[variant];
  const { stateful, services } = templates(variant);

  it('keeps recovery points in a KMS-encrypted, retained vault', () => {
    stateful.hasResource('AWS::Backup::BackupVault', {
      Properties: Match.objectLike({
        EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupVaultKey'), 'Arn'] },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it(`backs up daily (kept ${profile.backup.dailyRetentionDays} d)${profile.backup.monthlyRetentionDays ? ` and monthly (kept ${profile.backup.monthlyRetentionDays} d)` : ''}`, () => {
    const plan = Object.values(resourcesOf(stateful, 'AWS::Backup::BackupPlan'))[0]!;
    const rules = (plan.Properties?.BackupPlan as { BackupPlanRule: Record<string, unknown>[] })
      .BackupPlanRule;
    const byName = Object.fromEntries(rules.map((r) => [r.RuleName as string, r]));
    expect(byName.daily).toMatchObject({
      ScheduleExpression: 'cron(0 5 * * ? *)',
      Lifecycle: { DeleteAfterDays: profile.backup.dailyRetentionDays },
    });
    if (profile.backup.monthlyRetentionDays > 0) {
      expect(byName.monthly).toMatchObject({
        ScheduleExpression: 'cron(0 5 1 * ? *)',
        Lifecycle: { DeleteAfterDays: profile.backup.monthlyRetentionDays },
      });
      expect(rules).toHaveLength(2);
    } else {
      expect(rules).toHaveLength(1);
    }
  });

  it('selects the database instance', () => {
    stateful.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        Resources: [
          {
            'Fn::Join': [
              '',
              [
                Match.stringLikeRegexp(':rds:.*:db:$'),
                { Ref: Match.stringLikeRegexp('^DatabaseInstance') },
              ],
            ],
          },
        ],
      }),
    });
  });

  it('notifies the alarm topic when a backup or copy job fails', () => {
    services.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.backup'],
        'detail-type': ['Backup Job State Change', 'Copy Job State Change'],
        detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'], backupVaultName: [Match.anyValue()] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') } })],
    });
  });
});

describe('backup copies to a second region (prod with every option on)', () => {
  const profile = VARIANTS.https;
  const { stateful } = templates('https');
  const copy = Template.fromJSON(synthResult('https').backupCopy ?? {});

  it('keeps the copies in a retained, KMS-encrypted vault of the second region, under a fixed name', () => {
    copy.hasResource('AWS::Backup::BackupVault', {
      Properties: Match.objectLike({
        BackupVaultName: 'cloud-todo-https-copies',
        EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupCopyKey'), 'Arn'] },
      }),
      DeletionPolicy: 'Retain',
    });
    copy.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('copies every rule’s recovery points there, kept as long as the originals', () => {
    const plan = Object.values(resourcesOf(stateful, 'AWS::Backup::BackupPlan'))[0]!;
    const rules = (plan.Properties?.BackupPlan as { BackupPlanRule: Record<string, unknown>[] })
      .BackupPlanRule;
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.CopyActions).toEqual([
        {
          DestinationBackupVaultArn:
            'arn:aws:backup:us-west-2:111111111111:backup-vault:cloud-todo-https-copies',
          Lifecycle: {
            DeleteAfterDays: (rule.Lifecycle as { DeleteAfterDays: number }).DeleteAfterDays,
          },
        },
      ]);
    }
    expect(profile.backup.copyToRegion).toBe('us-west-2');
  });

  it('has no copy without a second region', () => {
    expect(synthResult('prod').backupCopy).toBeUndefined();
    const plan = Object.values(
      resourcesOf(templates('prod').stateful, 'AWS::Backup::BackupPlan'),
    )[0]!;
    expect(JSON.stringify(plan)).not.toContain('CopyActions');
  });
});
