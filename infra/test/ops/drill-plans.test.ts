import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRILLS, drillAlarmName, drillPlan, parseDrillArgs } from '../../src/ops/drills.ts';
import { PROFILES, type ProfileName } from '../../src/profile.ts';
import { SERVICE_OUTPUTS, STATEFUL_OUTPUTS, stackNames } from '../../src/stack-outputs.ts';
import { resourcesOf, templates } from '../templates.ts';

/**
 * The drills' `--dry-run` plans checked against the synthesized stacks of their profile (the
 * templates the global setup synthesized once): every stack output and alarm a plan names
 * exists there, so a renamed output or alarm fails here and not in the middle of a drill.
 */

const infra = join(import.meta.dirname, '..', '..');
type Template = ReturnType<typeof templates>['services'];

const outputsOf = (template: Template) =>
  (template.toJSON().Outputs ?? {}) as Record<string, { Value: unknown }>;

describe.each(['dev', 'course', 'prod'] as const satisfies readonly ProfileName[])(
  'drill plans against the synthesized %s stacks',
  (profileName) => {
    const { stateful, services, migration } = templates(profileName);
    const names = stackNames(profileName);
    const stacks = new Map<string, Template>([
      [names.stateful, stateful],
      [names.services, services],
      [names.migration, migration],
    ]);
    const alarmNames = [stateful, services].flatMap((t) =>
      Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties?.AlarmName),
    );
    const plan = (drill: (typeof DRILLS)[number]) =>
      drillPlan(parseDrillArgs([profileName, drill, '--dry-run'])).join('\n');

    it.each(DRILLS)('%s: every stack output and alarm the plan names exists', (drill) => {
      const text = plan(drill);
      const references = [...text.matchAll(/\bCloudTodo-[\w-]+(?:\.\w+)?/g)].map((m) => m[0]);
      expect(references.length).toBeGreaterThan(0);
      for (const reference of references) {
        const [name, output] = reference.split('.') as [string, string | undefined];
        const stack = stacks.get(name);
        if (stack) {
          expect(output, `${reference}: a stack without the output to read`).toBeDefined();
          expect(Object.keys(outputsOf(stack)), reference).toContain(output);
        } else {
          expect(alarmNames, `${reference}: neither a stack output nor an alarm`).toContain(name);
        }
      }
      // An output is named with its stack: a bare name does not say where to read it.
      for (const key of [...Object.values(STATEFUL_OUTPUTS), ...Object.values(SERVICE_OUTPUTS)]) {
        expect(text, `${key} without its stack`).not.toMatch(new RegExp(`(?<![\\w.])${key}\\b`));
      }
    });

    it('alarm: the alarm it sets notifies the topic of the AlarmTopicArn output', () => {
      const name = drillAlarmName(PROFILES[profileName]);
      expect(plan('alarm')).toContain(`Set ${name} to ALARM`);
      const alarm = Object.values(resourcesOf(services, 'AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties?.AlarmName === name,
      );
      expect(alarm, name).toBeDefined();
      expect(alarm!.Properties!.AlarmActions).toContainEqual(
        outputsOf(services)[SERVICE_OUTPUTS.alarmTopicArn]!.Value,
      );
    });

    it('failover: what the plan says about Multi-AZ is what the stack has', () => {
      const [instance] = Object.values(resourcesOf(stateful, 'AWS::RDS::DBInstance'));
      const multiAz = instance!.Properties!.MultiAZ === true;
      expect(plan('failover')).toContain(
        `refused unless Multi-AZ (${multiAz ? 'it is' : 'it is not'})`,
      );
    });
  },
);

describe('npm run drill -- <profile> <drill> --dry-run', () => {
  it('prints the plan checked above and calls nothing', () => {
    const run = spawnSync(
      process.execPath,
      [join(infra, 'bin', 'drill.ts'), 'prod', 'alarm', '--dry-run'],
      {
        cwd: infra,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: infra, AWS_EC2_METADATA_DISABLED: 'true' },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      [
        ...drillPlan(parseDrillArgs(['prod', 'alarm', '--dry-run'])),
        '(dry run: nothing was called)',
        '',
      ].join('\n'),
    );
  });
});
