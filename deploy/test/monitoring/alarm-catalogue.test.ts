// One source of truth: every CloudWatch alarm the CDK app synthesizes is in the catalogue
// (infra/src/alarm-thresholds.ts) with the same threshold and timing, and every catalogue
// entry has a local Prometheus rule or says why it cannot have one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ALARMS, type AlarmId } from '../../../infra/src/alarm-thresholds.ts';
import { buildApp } from '../../../infra/src/app.ts';
// The profiles infra's own tests synthesize (prod with the alarm address a deploy gives it).
import { VARIANTS } from '../../../infra/test/synth-variants.ts';
import {
  LOCAL_ALERTS,
  alertName,
  isLocal,
  renderAlertRules,
} from '../../monitoring/alert-rules.ts';

interface AlarmProps {
  AlarmName: string;
  Threshold: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Period?: number;
  Metrics?: { Period?: number; MetricStat?: { Period: number } }[];
}

/** The alarms of every stack of one profile, by the suffix after `CloudTodo-<profile>-`. */
function synthesizedAlarms(profile: keyof typeof VARIANTS): Map<string, AlarmProps> {
  process.env.CDK_VALIDATION = 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'cloud-todo-alarms-'));
  const alarms = new Map<string, AlarmProps>();
  try {
    const { app } = buildApp({ profile: VARIANTS[profile], imageTag: '0123abc', outdir });
    for (const stack of app.synth().stacks) {
      const resources =
        (stack.template as { Resources?: Record<string, { Type: string; Properties: AlarmProps }> })
          .Resources ?? {};
      for (const resource of Object.values(resources)) {
        if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
        const prefix = `CloudTodo-${VARIANTS[profile].name}-`;
        const name = resource.Properties.AlarmName;
        expect(name.startsWith(prefix), name).toBe(true);
        alarms.set(name.slice(prefix.length), resource.Properties);
      }
    }
  } finally {
    // The assembly is read above; nothing of it stays behind, even when synth throws.
    rmSync(outdir, { recursive: true, force: true });
  }
  return alarms;
}

describe.each(Object.keys(VARIANTS) as (keyof typeof VARIANTS)[])('profile %s', (profile) => {
  const alarms = synthesizedAlarms(profile);

  test('every CloudWatch alarm is in the catalogue, and every catalogue entry is an alarm', () => {
    expect(alarms.size).toBeGreaterThan(10);
    expect([...alarms.keys()].sort()).toEqual(Object.keys(ALARMS).sort());
  });

  test('the catalogue has each alarm’s threshold, period and datapoints', () => {
    for (const [id, props] of alarms) {
      const entry = ALARMS[id as AlarmId];
      const period =
        props.Period ??
        Math.max(...(props.Metrics ?? []).map((m) => m.MetricStat?.Period ?? m.Period ?? 0));
      expect({
        id,
        period,
        datapoints: props.DatapointsToAlarm ?? props.EvaluationPeriods,
      }).toEqual({
        id,
        period: entry.periodSeconds,
        datapoints: entry.datapointsToAlarm,
      });
      if ('threshold' in entry) expect(props.Threshold, id).toBe(entry.threshold);
    }
  });
});

test('every alarm has a local rule naming it, or a reason why not', () => {
  const rules = renderAlertRules({ timeScale: 1, scrapeIntervalSeconds: 15 });
  for (const id of Object.keys(ALARMS) as AlarmId[]) {
    const local = LOCAL_ALERTS[id] as (typeof LOCAL_ALERTS)[AlarmId] | undefined;
    expect(local, `${id} has neither a local rule nor a reason`).toBeDefined();
    if (local && isLocal(local)) {
      expect(rules).toContain(`alert: ${alertName(id)}\n`);
      expect(rules).toContain(`cloudwatch_alarm: ${id}\n`);
    } else {
      expect((local as { reason: string }).reason.length, id).toBeGreaterThan(20);
      expect(rules).not.toContain(`cloudwatch_alarm: ${id}\n`);
    }
  }
  // The alarms the failure tests exercise have local rules.
  for (const id of ['ApiTasksBelowDesired', 'ApiTarget5xxRate', 'ApiP99Latency'] as const) {
    expect(isLocal(LOCAL_ALERTS[id]), id).toBe(true);
  }
});
