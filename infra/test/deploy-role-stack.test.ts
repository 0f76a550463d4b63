import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { PROFILES } from '../src/profile.ts';
import { TEST_IMAGE_TAG } from './synth-variants.ts';

// The deploy role is optional, so the shared synth of every variant leaves it out; this file
// synthesizes prod once more with it, cdk-nag gate included (an unacknowledged finding throws).
let template: Template;
let violations: unknown[];
let outdir: string;
let roleAcks: { id: string; reason: string }[];

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  outdir = mkdtempSync(join(tmpdir(), 'cloud-todo-deploy-role-'));
  const { app, deployRole } = buildApp({
    profile: { ...PROFILES.prod, alarmEmails: ['ops@example.org'] },
    imageTag: TEST_IMAGE_TAG,
    outdir,
    deployRole: { repository: 'example-org/cloud-todo' },
  });
  const assembly = app.synth();
  if (!deployRole) throw new Error('buildApp left the deploy role out');
  template = Template.fromJSON(
    assembly.getStackByName(deployRole.stackName).template as Record<string, unknown>,
  );
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: unknown[] }[];
  };
  violations = report.pluginReports.flatMap((r) => r.violations);
  roleAcks = deployRole.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
    .flatMap((m) =>
      Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })),
    );
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function statements(): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap(
    (p) =>
      (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
  );
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the GitHub deploy role (optional stack)', () => {
  it('synthesizes cdk-nag clean, each acknowledgement with a reason', () => {
    expect(violations).toEqual([]);
    const nag = roleAcks.filter((a) => a.id.includes('AwsSolutions-'));
    expect(nag.length).toBeGreaterThan(0);
    for (const ack of nag) expect(ack.reason.length, ack.id).toBeGreaterThanOrEqual(60);
  });

  it("trusts GitHub's OIDC provider for this repository's main branch and v* tags only", () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    const trust = (
      roles[0]!.Properties as {
        AssumeRolePolicyDocument: { Statement: Statement[] };
        MaxSessionDuration: number;
      }
    ).AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust[0]!.Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: {
        'token.actions.githubusercontent.com:sub': [
          'repo:example-org/cloud-todo:ref:refs/heads/main',
          'repo:example-org/cloud-todo:ref:refs/tags/v*',
        ],
      },
    });
    expect((roles[0]!.Properties as { MaxSessionDuration: number }).MaxSessionDuration).toBe(3600);
  });

  it('holds no administrator or service-wide action, and no access key', () => {
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    template.resourceCountIs('AWS::IAM::User', 0);
    const all = statements().flatMap(actions);
    expect(all.length).toBeGreaterThan(5);
    for (const action of all) expect(action, action).not.toMatch(/(^\*$|:\*$)/);
    for (const action of all) {
      expect(action).toMatch(/^(sts|ecr|cloudformation|ecs|iam|logs):/);
    }
    // CloudFormation changes happen through the CDK bootstrap roles, not this role.
    expect(all).not.toContain('cloudformation:CreateStack');
    expect(all).not.toContain('cloudformation:UpdateStack');
  });

  it('scopes every resource wildcard to a named pattern, except the two unscopable actions', () => {
    for (const s of statements()) {
      const resources = Array.isArray(s.Resource) ? (s.Resource as unknown[]) : [s.Resource];
      if (resources.includes('*')) {
        expect(actions(s).sort()).toSatisfy(
          (a: string[]) =>
            a.every((x) => ['ecr:GetAuthorizationToken', 'ecs:DescribeTaskDefinition'].includes(x)),
          JSON.stringify(s),
        );
      }
    }
    const passRole = statements().find((s) => actions(s).includes('iam:PassRole'));
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    const runTask = statements().find((s) => actions(s).includes('ecs:RunTask'));
    expect(JSON.stringify(runTask?.Condition)).toContain('cluster/CloudTodo-prod-*');
  });

  it('may push only to the two image repositories of the stateful stack', () => {
    const resources = statements()
      .filter((s) => actions(s).includes('ecr:PutImage'))
      .flatMap((s) => (Array.isArray(s.Resource) ? (s.Resource as unknown[]) : [s.Resource]));
    expect(resources).toHaveLength(2);
    for (const r of resources)
      expect(JSON.stringify(r)).toMatch(/CloudTodo-prod-Stateful.*Images(Api|Web)/);
  });

  it('refuses a repository or branch that would widen the trust', () => {
    const build = (repository: string, branch?: string) => () =>
      buildApp({
        profile: PROFILES.dev,
        imageTag: TEST_IMAGE_TAG,
        outdir: join(outdir, 'refused'),
        deployRole: { repository, branch },
      });
    expect(build('*')).toThrow(/owner\/name/);
    expect(build('example-org/*')).toThrow(/owner\/name/);
    expect(build('example-org/cloud-todo', '*')).toThrow(/one branch/);
  });
});
