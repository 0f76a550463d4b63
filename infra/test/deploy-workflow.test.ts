import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/**
 * The deploy job of .github/workflows/deploy.yml against what the CDK app reads: every alarm
 * e-mail setting that infra/bin/cloud-todo.ts takes from the environment reaches the job from
 * the repository variable of the same name, and docs/deploy.md lists it among those variables.
 * (actionlint and the job's steps: test/workflows.test.ts in the repo project.)
 */
describe('deploy workflow: the alarm e-mail settings', () => {
  const variables = [
    ...new Set(
      [...read('infra/bin/cloud-todo.ts').matchAll(/env\.(CLOUD_TODO_ALARM_EMAILS\w*)/g)].map(
        (m) => m[1]!,
      ),
    ),
  ];
  const workflow = read('.github/workflows/deploy.yml');
  const deployJob = workflow.slice(workflow.indexOf('\n  deploy:'), workflow.indexOf('    steps:'));
  const doc = read('docs/deploy.md');
  const actionsSection = doc.slice(doc.indexOf('## Deploying from GitHub Actions'));

  it('are the addresses and the named opt-out', () => {
    expect(variables.sort()).toEqual([
      'CLOUD_TODO_ALARM_EMAILS',
      'CLOUD_TODO_ALARM_EMAILS_OPT_OUT',
    ]);
  });

  it.each(variables)('%s is passed to the deploy job from the repository variable', (name) => {
    expect(deployJob).toMatch(new RegExp(`^ {6}${name}: \\$\\{\\{ vars\\.${name} \\}\\}$`, 'm'));
  });

  it.each(variables)('%s is documented with the repository variables', (name) => {
    expect(actionsSection).toContain(`\`${name}\``);
  });
});
