#!/usr/bin/env bash
# The one deploy command: from a clean checkout to a running cloud-todo.
#
#   bash infra/scripts/deploy.sh [dev|course|prod] [extra cdk deploy options…]
#   npm run deploy -w infra -- prod
#
# 1. deploys the stateful stack (network, database, backups, ECR repositories),
# 2. builds the api and web images and pushes them tagged with the short git commit
#    (skipped for an image that the repository already has: tags are immutable),
# 3. deploys the migration stack (the one-off task of that tag), runs the migration task and
#    waits for it: a failed migration stops here, with the old code still serving,
# 4. deploys the service stack with that tag (a rolling deploy that ECS rolls back when the
#    new tasks fail to start or trip the 5xx / p99 deployment alarms).
# Needs: AWS credentials for the target account (any way the AWS CLI finds them), the AWS CLI
# v2, Docker with buildx, Node.js ≥ 22.18, git; the account/region bootstrapped once
# (`npx cdk bootstrap`, docs/deploy.md; a lab account without IAM roles instead passes
# `-c labRoleArn=…`, docs/deploy.md "Lab accounts without IAM roles"). Overridable for tests:
# AWS, DOCKER, CDK.
set -euo pipefail

profile="${1:-dev}"
shift || true
case "$profile" in
  dev | course | prod) ;;
  *) echo "deploy: unknown profile '$profile' (dev, course or prod)" >&2; exit 2 ;;
esac

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_root="$(cd "$infra_dir/.." && pwd)"
cd "$repo_root"

aws_cli="${AWS:-aws}"
docker_cli="${DOCKER:-docker}"
read -r -a cdk_cli <<< "${CDK:-npx --no-install cdk}"

if [ -n "$(git status --porcelain --untracked-files=no)" ] && [ "${ALLOW_DIRTY:-}" != "1" ]; then
  echo "deploy: the working tree has uncommitted changes; the image tag would not describe them." >&2
  echo "        Commit first, or set ALLOW_DIRTY=1 to deploy HEAD's tag anyway." >&2
  exit 1
fi
tag="$(git rev-parse --short HEAD)"
revision="$(git rev-parse HEAD)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
source_url="$(git config --get remote.origin.url || echo unknown)"

account="$("$aws_cli" sts get-caller-identity --query Account --output text)"
export CDK_DEPLOY_ACCOUNT="$account"
stack_prefix="CloudTodo-$profile"
outputs="$(mktemp -d)"
trap 'rm -rf "$outputs"' EXIT

cdk() {
  (cd "$infra_dir" && "${cdk_cli[@]}" "$@" -c "profile=$profile" -c "imageTag=$tag")
}

# Reads one output of a stack from the file that `cdk deploy --outputs-file` wrote.
output() {
  # shellcheck disable=SC2016 # the backquotes are a JavaScript template literal, not the shell's
  node -e 'const [file, stack, key] = process.argv.slice(1);
const value = JSON.parse(require("fs").readFileSync(file, "utf8"))[stack]?.[key];
if (!value) { console.error(`deploy: no output ${key} of ${stack}`); process.exit(1); }
console.log(value);' "$1" "$2" "$3"
}

echo "deploy: $stack_prefix, account $account, images tagged $tag"
cdk deploy "$stack_prefix-Stateful" --outputs-file "$outputs/stateful.json" "$@"

api_repo="$(output "$outputs/stateful.json" "$stack_prefix-Stateful" ApiRepositoryUri)"
web_repo="$(output "$outputs/stateful.json" "$stack_prefix-Stateful" WebRepositoryUri)"
registry="${api_repo%%/*}"
region="$(cut -d. -f4 <<< "$registry")"

"$aws_cli" ecr get-login-password --region "$region" |
  "$docker_cli" login --username AWS --password-stdin "$registry"

for image in api web; do
  if [ "$image" = api ]; then repo="$api_repo"; else repo="$web_repo"; fi
  name="${repo#*/}"
  if "$aws_cli" ecr describe-images --region "$region" --repository-name "$name" \
    --image-ids "imageTag=$tag" > /dev/null 2>&1; then
    echo "deploy: $name:$tag is already in ECR (tags are immutable); not rebuilding"
    continue
  fi
  # The task definitions run on X86_64 (infra/src/constructs/app-service.ts).
  "$docker_cli" buildx build --platform linux/amd64 --load \
    -f "apps/$image/Dockerfile" \
    --build-arg "REVISION=$revision" --build-arg "CREATED=$created" --build-arg "SOURCE=$source_url" \
    -t "$repo:$tag" .
  "$docker_cli" push "$repo:$tag"
done

cdk deploy "$stack_prefix-Migration" --outputs-file "$outputs/migration.json" "$@"
migration_output() { output "$outputs/migration.json" "$stack_prefix-Migration" "$1"; }
cluster="$(migration_output MigrationClusterArn)"
started_migration="$(date +%s)"
echo "deploy: running the migration task ($tag)"
task_arn="$("$aws_cli" ecs run-task --region "$region" --cluster "$cluster" \
  --task-definition "$(migration_output MigrationTaskDefinitionArn)" \
  --launch-type FARGATE --count 1 --started-by "deploy-$tag" \
  --network-configuration "awsvpcConfiguration={subnets=[$(migration_output MigrationSubnetIds)],securityGroups=[$(migration_output MigrationSecurityGroupId)],assignPublicIp=DISABLED}" \
  --query 'tasks[0].taskArn' --output text)"
if [ -z "$task_arn" ] || [ "$task_arn" = "None" ]; then
  echo "deploy: the migration task did not start; the services were not changed." >&2
  exit 1
fi
"$aws_cli" ecs wait tasks-stopped --region "$region" --cluster "$cluster" --tasks "$task_arn"
exit_code="$("$aws_cli" ecs describe-tasks --region "$region" --cluster "$cluster" \
  --tasks "$task_arn" --query 'tasks[0].containers[0].exitCode' --output text)"
if [ "$exit_code" != "0" ]; then
  echo "deploy: the migration task failed (exit code $exit_code); the services were not changed." >&2
  echo "        Its log: aws logs tail $(migration_output MigrationLogGroup) --since 30m" >&2
  exit 1
fi
echo "deploy: migrated in $(($(date +%s) - started_migration)) s"

cdk deploy "$stack_prefix-Services" --outputs-file "$outputs/services.json" "$@"
echo "deploy: done. The app: $(output "$outputs/services.json" "$stack_prefix-Services" AppUrl)"
echo "deploy: dashboard: $(output "$outputs/services.json" "$stack_prefix-Services" DashboardUrl)"
