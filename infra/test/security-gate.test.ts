import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synthResult, type Variant } from './templates.ts';

describe.each(['dev', 'prod', 'https', 'lab'] as Variant[])(
  'cdk-nag AwsSolutions (%s)',
  (variant) => {
    it('leaves no unacknowledged finding on any stack', () => {
      const result = synthResult(variant); // an unacknowledged error makes the synth throw
      expect(result.violations).toEqual([]);
    });

    it('gives every acknowledgement a reason a reviewer can check', () => {
      const { acknowledgements = [] } = synthResult(variant);
      // cdk-nag findings are recorded as `Annotation::<rule id>`.
      const ours = acknowledgements.filter((a) => a.id.startsWith('Annotation::AwsSolutions-'));
      expect(ours.length).toBeGreaterThan(0);
      for (const ack of ours) {
        expect(ack.id, ack.path).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
        expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(60);
      }
      // Anything else is acknowledged by aws-cdk-lib itself (its schema checks, e.g. literal AZs).
      for (const ack of acknowledgements.filter((a) => !ours.includes(a))) {
        expect(ack.id).toMatch(/^CloudFormation-Validate::/);
      }
    });

    it('needs no context lookup (synth works offline, without credentials)', () => {
      expect(synthResult(variant).missingContext).toEqual([]);
    });
  },
);

describe('the gate itself', () => {
  it('fails the synth on an unacknowledged finding', () => {
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new s3.Bucket(stack, 'Unlogged', { enforceSSL: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
