import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const infra = join(import.meta.dirname, '..');
const outdir = mkdtempSync(join(tmpdir(), 'cloud-todo-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/**
 * The CDK app as the CLI runs it (`node bin/cloud-todo.ts` with the CLI's environment), with
 * no AWS credentials and the environment overrides a deployer would set.
 */
describe('bin/cloud-todo.ts', () => {
  const run = spawnSync(process.execPath, [join(infra, 'bin', 'cloud-todo.ts')], {
    cwd: infra,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ profile: 'prod' }),
      CDK_VALIDATION: 'false',
      CDK_DEPLOY_ACCOUNT: '210987654321',
      CLOUD_TODO_ALARM_EMAILS: 'a@example.org, b@example.org',
      CLOUD_TODO_DOMAIN: 'todo.example.net',
      CLOUD_TODO_HOSTED_ZONE_ID: 'Z9876543210ZYXWVUTSRQ',
      CLOUD_TODO_ZONE_NAME: 'example.net',
    },
  });
  const manifest = () =>
    JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { environment?: string }>;
      missing?: unknown[];
    };
  const services = () =>
    JSON.parse(readFileSync(join(outdir, 'CloudTodo-prod-Services.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
    };

  it('synthesizes offline, without credentials and without context lookups', () => {
    expect(run.stderr).not.toMatch(/error|credentials/i);
    expect(run.status).toBe(0);
    expect(manifest().missing).toBeUndefined();
  });

  it('takes the account, alarm e-mails and domain from the environment', () => {
    expect(manifest().artifacts['CloudTodo-prod-Stateful']?.environment).toBe(
      'aws://210987654321/us-east-1',
    );
    const resources = Object.values(services().Resources);
    const emails = resources
      .filter((r) => r.Type === 'AWS::SNS::Subscription')
      .map((r) => r.Properties.Endpoint);
    expect(emails.sort()).toEqual(['a@example.org', 'b@example.org']);
    const certificate = resources.find((r) => r.Type === 'AWS::CertificateManager::Certificate');
    expect(certificate?.Properties.DomainName).toBe('todo.example.net');
  });

  it('tags the images with the checkout’s commit when no tag is given', () => {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(services().Outputs.ImageTag?.Value).toBe(head);
  });
});

describe('bin/cloud-todo.ts notes and refusals', () => {
  /** A synth into a folder of its own; `templates` holds what it wrote, by file name. */
  const synth = (context: Record<string, string>, extra: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'cloud-todo-cli-'));
    try {
      const run = spawnSync(process.execPath, [join(infra, 'bin', 'cloud-todo.ts')], {
        cwd: infra,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          CDK_OUTDIR: dir,
          CDK_CONTEXT_JSON: JSON.stringify({ imageTag: '0123abc', ...context }),
          CDK_VALIDATION: 'false',
          ...extra,
        },
      });
      const templates = Object.fromEntries(
        readdirSync(dir)
          .filter((f) => f.endsWith('.template.json'))
          .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
      );
      return { ...run, templates };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('refuses prod without an alarm address, naming the variable and the opt-out', () => {
    const run = synth({ profile: 'prod' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('CLOUD_TODO_ALARM_EMAILS');
    expect(run.stderr).toContain('CLOUD_TODO_ALARM_EMAILS_OPT_OUT');
  });

  it('says loudly that an HTTP-only profile without alarm e-mails is unprotected and unwatched', () => {
    const run = synth({ profile: 'course' });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/NOTE: profile course serves plain HTTP/);
    expect(run.stderr).toMatch(/NOTE: profile course has no alarm e-mails: alarms reach nobody/);
  });

  it('takes the lab role from -c labRoleArn: no IAM resource in any template it writes', () => {
    const run = synth(
      { profile: 'course', labRoleArn: 'arn:aws:iam::210987654321:role/LabRole' },
      { CDK_DEPLOY_ACCOUNT: '210987654321' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/NOTE: profile course runs as the lab role/);
    expect(Object.keys(run.templates)).toHaveLength(3);
    for (const [file, template] of Object.entries(run.templates)) {
      expect(template, file).not.toContain('"AWS::IAM::');
    }
  });

  it('refuses a lab role of another account than the one deployed to', () => {
    const run = synth(
      { profile: 'course', labRoleArn: 'arn:aws:iam::123456789012:role/LabRole' },
      { CDK_DEPLOY_ACCOUNT: '210987654321' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('labRoleArn: the role must be in the account deployed to');
  });
});
