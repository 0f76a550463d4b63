import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'scripts', 'deploy.sh');
const work = mkdtempSync(join(tmpdir(), 'cloud-todo-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Stand-ins for the AWS CLI, Docker and the CDK CLI (the only things here that would reach
 * AWS): each appends its arguments to a log; `cdk deploy … --outputs-file F` writes the
 * outputs the real deploy would.
 */
function stubs(existingImages: string[], migrationExitCode = 0) {
  const dir = mkdtempSync(join(work, 'bin-'));
  const log = join(dir, 'calls.log');
  const stub = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
  const aws = stub(
    'aws',
    `case "$1 $2" in
  "sts get-caller-identity") echo 123456789012 ;;
  "ecr get-login-password") echo token ;;
  "ecs run-task") echo arn:aws:ecs:us-east-1:123456789012:task/migrations/abc ;;
  "ecs wait") exit 0 ;;
  "ecs describe-tasks") echo ${migrationExitCode} ;;
  "ecr describe-images") case "$*" in ${existingImages.map((i) => `*"--repository-name ${i}"*) exit 0 ;;`).join(' ')} *) exit 254 ;; esac ;;
esac`,
  );
  const docker = stub('docker', 'cat > /dev/null 2>&1 || true');
  const cdk = stub(
    'cdk',
    `stack="$2"; file=""; prev=""
for arg in "$@"; do [ "$prev" = "--outputs-file" ] && file="$arg"; prev="$arg"; done
case "$stack" in
  *-Stateful) echo "{\\"$stack\\":{\\"ApiRepositoryUri\\":\\"${registry}/api-repo\\",\\"WebRepositoryUri\\":\\"${registry}/web-repo\\"}}" > "$file" ;;
  *-Migration) echo "{\\"$stack\\":{\\"MigrationClusterArn\\":\\"arn:cluster\\",\\"MigrationTaskDefinitionArn\\":\\"arn:taskdef\\",\\"MigrationSubnetIds\\":\\"subnet-a,subnet-b\\",\\"MigrationSecurityGroupId\\":\\"sg-api\\",\\"MigrationLogGroup\\":\\"migrate-logs\\"}}" > "$file" ;;
  *-Services) echo "{\\"$stack\\":{\\"AppUrl\\":\\"http://alb.example\\",\\"DashboardUrl\\":\\"https://dash.example\\"}}" > "$file" ;;
esac`,
  );
  return {
    log,
    env: { ...process.env, AWS: aws, DOCKER: docker, CDK: cdk, ALLOW_DIRTY: '1' },
    registry,
  };
}

const tag = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();

describe('infra/scripts/deploy.sh', () => {
  it('passes shellcheck', () => {
    const result = spawnSync('shellcheck', [script], { encoding: 'utf8' });
    expect(
      result.error,
      'shellcheck must be installed (Debian package shellcheck)',
    ).toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('deploys the stateful stack, pushes both images tagged with the commit, then deploys the services with that tag', () => {
    const { log, env, registry } = stubs([]);
    const run = spawnSync('bash', [script, 'prod', '--require-approval', 'never'], {
      env,
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('The app: http://alb.example');
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const step = (pattern: RegExp) => {
      const index = calls.findIndex((c) => pattern.test(c));
      expect(index, String(pattern)).toBeGreaterThanOrEqual(0);
      return index;
    };
    const stateful = step(/^cdk deploy CloudTodo-prod-Stateful .*-c profile=prod -c imageTag=/);
    const login = step(new RegExp(`^docker login --username AWS --password-stdin ${registry}$`));
    const buildApi = step(
      new RegExp(
        `^docker buildx build .*-f apps/api/Dockerfile .*-t ${registry}/api-repo:${tag} \\.$`,
      ),
    );
    const pushApi = step(new RegExp(`^docker push ${registry}/api-repo:${tag}$`));
    const buildWeb = step(
      new RegExp(`-f apps/web/Dockerfile .*-t ${registry}/web-repo:${tag} \\.$`),
    );
    const pushWeb = step(new RegExp(`^docker push ${registry}/web-repo:${tag}$`));
    const migrationStack = step(
      new RegExp(`^cdk deploy CloudTodo-prod-Migration .*-c imageTag=${tag}$`),
    );
    const runTask = step(
      /^aws ecs run-task .*--cluster arn:cluster --task-definition arn:taskdef --launch-type FARGATE .*subnets=\[subnet-a,subnet-b\],securityGroups=\[sg-api\],assignPublicIp=DISABLED/,
    );
    const wait = step(/^aws ecs wait tasks-stopped .*--tasks arn:aws:ecs:.*task\/migrations\/abc$/);
    const services = step(new RegExp(`^cdk deploy CloudTodo-prod-Services .*-c imageTag=${tag}$`));
    const order = [
      stateful,
      login,
      buildApi,
      pushApi,
      buildWeb,
      pushWeb,
      migrationStack,
      runTask,
      wait,
      services,
    ];
    expect(order).toEqual(order.toSorted((a, b) => a - b));
    expect(calls[stateful]).toContain('--require-approval never');
    expect(calls.join('\n')).not.toContain(':latest');
  });

  it('does not rebuild an image that ECR already has (tags are immutable)', () => {
    const { log, env } = stubs(['api-repo']);
    const run = spawnSync('bash', [script, 'dev'], { env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const calls = readFileSync(log, 'utf8');
    expect(calls).not.toMatch(/apps\/api\/Dockerfile/);
    expect(calls).toMatch(/apps\/web\/Dockerfile/);
    expect(calls).toMatch(/cdk deploy CloudTodo-dev-Services/);
  });

  it('stops before the services when the migration task fails', () => {
    const { log, env } = stubs(['api-repo', 'web-repo'], 1);
    const run = spawnSync('bash', [script, 'prod'], { env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the migration task failed (exit code 1)');
    expect(run.stderr).toContain('aws logs tail migrate-logs');
    expect(readFileSync(log, 'utf8')).not.toMatch(/cdk deploy CloudTodo-prod-Services/);
  });

  it('refuses an unknown profile', () => {
    const { env } = stubs([]);
    const run = spawnSync('bash', [script, 'staging'], { env, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown profile 'staging'");
  });
});
