import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { profileWithEnvironment } from '../src/profile-environment.ts';
import { PLACEHOLDER_ACCOUNT, PROFILES } from '../src/profile.ts';
import { TEST_IMAGE_TAG } from './synth-variants.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The CDK app's own source: its entry point and every module it imports, transitively. */
function appSources(entry = 'infra/bin/cloud-todo.ts'): Map<string, string> {
  const sources = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (sources.has(path)) continue;
    const text = read(path);
    sources.set(path, text);
    // `… from './x.ts'`, `import('./x.ts')`, `import './x.ts'`: relative ones only (packages
    // are not the app's source).
    for (const m of text.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*(['"])(\.\.?\/[^'"]+)\1/g)) {
      queue.push(posix.join(posix.dirname(path), m[2]!));
    }
  }
  return sources;
}

const sources = appSources();
/** `process.env.NAME`, `env.NAME`, `env['NAME']`: the environment variables read by name. */
const readPattern = /\benv(?:\.([A-Z][A-Z0-9_]*)|\[\s*(['"`])([A-Z][A-Z0-9_]*)\2\s*\])/g;
const readsIn = (text: string) => [...text.matchAll(readPattern)].map((m) => (m[1] ?? m[3])!);
const reads = [...sources.values()].flatMap(readsIn);
// Whatever way a CLOUD_TODO_* setting is read, its name is in the source: every one named
// counts (a name that only a message mentions is still the name a deployer is told to set).
const named = [...sources.values()].flatMap((text) =>
  [...text.matchAll(/\bCLOUD_TODO_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]),
);
const variables = [...new Set([...reads, ...named])].sort();

/**
 * Read by the app but not repository variables: the deploy sets them itself. Anything else the
 * app reads must reach the deploy job from the repository variable of the same name.
 */
const setByTheDeploy: Record<string, string> = {
  CDK_DEPLOY_ACCOUNT: 'exported by infra/scripts/deploy.sh: the account of the assumed role',
  CDK_DEFAULT_ACCOUNT: "set by the CDK CLI from the credentials (CDK_DEPLOY_ACCOUNT's fallback)",
};
const passed = variables.filter((name) => !(name in setByTheDeploy));

const workflow = read('.github/workflows/deploy.yml');
const deployJob = workflow.slice(workflow.indexOf('\n  deploy:'), workflow.indexOf('    steps:'));
const doc = read('docs/deploy.md');
const actionsSection = doc.slice(doc.indexOf('## Deploying from GitHub Actions'));

/**
 * The deploy job of .github/workflows/deploy.yml against what the CDK app reads: every
 * environment variable that infra/bin/cloud-todo.ts and the modules it imports read reaches the
 * job from the repository variable of the same name, docs/deploy.md lists it among those
 * variables, and an unset one (an empty string in the job) changes nothing.
 * (actionlint and the job's steps: test/workflows.test.ts in the repo project.)
 */
describe('deploy workflow: the settings the CDK app reads', () => {
  it('are found by scanning the app (at least the ones it reads today)', () => {
    expect(sources.size).toBeGreaterThan(10);
    expect(variables).toEqual(
      expect.arrayContaining([
        'CDK_DEFAULT_ACCOUNT',
        'CDK_DEPLOY_ACCOUNT',
        'CLOUD_TODO_ALARM_EMAILS',
        'CLOUD_TODO_ALARM_EMAILS_OPT_OUT',
        'CLOUD_TODO_BACKUP_COPY_REGION',
        'CLOUD_TODO_DOMAIN',
        'CLOUD_TODO_HOSTED_ZONE_ID',
        'CLOUD_TODO_ZONE_NAME',
      ]),
    );
  });

  it('are read in one place, which treats an empty value as unset (tested below)', () => {
    const readers = [...sources].filter(([, text]) => readsIn(text).length > 0).map(([p]) => p);
    expect(readers).toEqual(['infra/src/profile-environment.ts']);
    // Outside comments, `process.env` appears once: handed to that one place.
    const handedOver = [...sources].flatMap(([path, text]) =>
      [...text.matchAll(/^.*\bprocess\.env\b.*$/gm)]
        .map((m) => m[0].trim())
        .filter((line) => !/^(\/\/|\/\*|\*)/.test(line))
        .map((line) => `${path}: ${line}`),
    );
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0]).toMatch(
      /^infra\/bin\/cloud-todo\.ts: .*profileWithEnvironment\([^)]*, process\.env\)/,
    );
  });

  it.each(Object.entries(setByTheDeploy))('%s is not a repository variable: %s', (name) => {
    expect(deployJob).not.toContain(name);
  });

  it('CDK_DEPLOY_ACCOUNT is set by the deploy script itself', () => {
    expect(read('infra/scripts/deploy.sh')).toMatch(/^export CDK_DEPLOY_ACCOUNT=/m);
  });

  it.each(passed)('%s is passed to the deploy job from the repository variable', (name) => {
    expect(deployJob).toMatch(new RegExp(`^ {6}${name}: \\$\\{\\{ vars\\.${name} \\}\\}$`, 'm'));
  });

  it('the deploy job passes no CLOUD_TODO_* setting that the app does not read', () => {
    const inJob = [...deployJob.matchAll(/^ {6}(CLOUD_TODO_\w+):/gm)].map((m) => m[1]);
    expect(inJob.filter((name) => !passed.includes(name!))).toEqual([]);
  });

  it.each(passed)('%s is documented with the repository variables', (name) => {
    expect(actionsSection).toContain(`\`${name}\``);
  });

  describe.each(Object.keys(PROFILES) as (keyof typeof PROFILES)[])('profile %s', (profile) => {
    const base = PROFILES[profile];
    const unset = profileWithEnvironment(base, {});

    it('is the committed profile when nothing is set', () => {
      expect(unset).toEqual(base);
    });

    it.each(variables)('%s empty or blank changes nothing', (name) => {
      expect(profileWithEnvironment(base, { [name]: '' })).toEqual(unset);
      expect(profileWithEnvironment(base, { [name]: ' \t' })).toEqual(unset);
    });

    it('all of them empty at once (the job with no repository variable set) changes nothing', () => {
      const empty = Object.fromEntries(variables.map((name) => [name, '']));
      expect(profileWithEnvironment(base, empty)).toEqual(unset);
    });

    it('refuses one or two of the three HTTPS settings, naming what is missing', () => {
      expect(() => profileWithEnvironment(base, { CLOUD_TODO_DOMAIN: 'todo.example.org' })).toThrow(
        /CLOUD_TODO_HOSTED_ZONE_ID, CLOUD_TODO_ZONE_NAME are not set/,
      );
      expect(() =>
        profileWithEnvironment(base, {
          CLOUD_TODO_DOMAIN: 'todo.example.org',
          CLOUD_TODO_ZONE_NAME: 'example.org',
          CLOUD_TODO_HOSTED_ZONE_ID: ' ',
        }),
      ).toThrow(/CLOUD_TODO_HOSTED_ZONE_ID is not set/);
    });

    it('each of them set does change it (so the empty check is not vacuous)', () => {
      const set = profileWithEnvironment(base, {
        CDK_DEPLOY_ACCOUNT: '210987654321',
        CLOUD_TODO_ALARM_EMAILS: ' a@example.org, b@example.org ',
        CLOUD_TODO_ALARM_EMAILS_OPT_OUT: ' the on-call tool subscribes itself ',
        CLOUD_TODO_BACKUP_COPY_REGION: 'us-west-2 ',
        CLOUD_TODO_DOMAIN: 'todo.example.org',
        CLOUD_TODO_HOSTED_ZONE_ID: 'Z0123456789ABCDEFGHIJ',
        CLOUD_TODO_ZONE_NAME: 'example.org',
      });
      expect(set).toEqual({
        ...base,
        account: '210987654321',
        alarmEmails: ['a@example.org', 'b@example.org'],
        alarmEmailsOptOut: 'the on-call tool subscribes itself',
        backup: { ...base.backup, copyToRegion: 'us-west-2' },
        domain: {
          name: 'todo.example.org',
          hostedZoneId: 'Z0123456789ABCDEFGHIJ',
          zoneName: 'example.org',
        },
      });
      expect(profileWithEnvironment(base, { CDK_DEFAULT_ACCOUNT: '123456789012' }).account).toBe(
        '123456789012',
      );
    });
  });
});

/**
 * CLOUD_TODO_BACKUP_COPY_REGION in the deploy job is only of use if the deploy role may deploy
 * the copy vault's stack, in that region, through that region's CDK bootstrap roles.
 */
describe('deploy workflow: the deploy role and a backup-copy region', () => {
  const bootstrapRoles = (copyToRegion?: string) => {
    const outdir = mkdtempSync(join(tmpdir(), 'cloud-todo-deploy-workflow-'));
    try {
      const { deployRole } = buildApp({
        profile: {
          ...PROFILES.prod,
          alarmEmails: ['ops@example.org'],
          backup: { ...PROFILES.prod.backup, copyToRegion },
        },
        imageTag: TEST_IMAGE_TAG,
        outdir,
        deployRole: { repository: 'example-org/cloud-todo' },
      });
      const policies = Template.fromStack(deployRole!).findResources('AWS::IAM::Policy');
      const statements = Object.values(policies).flatMap(
        (p) =>
          (p.Properties as { PolicyDocument: { Statement: { Sid?: string; Resource: unknown }[] } })
            .PolicyDocument.Statement,
      );
      const assume = statements.find((s) => s.Sid === 'AssumeCdkBootstrapRoles');
      return (assume?.Resource as string[]).sort();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  };

  it('may assume the bootstrap roles of the copy region as well, and only when there is one', () => {
    const roles = (...regions: string[]) =>
      regions
        .flatMap((region) =>
          ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
            (kind) =>
              `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${PLACEHOLDER_ACCOUNT}-${region}`,
          ),
        )
        .sort();
    expect(bootstrapRoles()).toEqual(roles('us-east-1'));
    expect(bootstrapRoles('us-west-2')).toEqual(roles('us-east-1', 'us-west-2'));
  });
});
