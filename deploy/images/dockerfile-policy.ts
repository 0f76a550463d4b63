import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import type { DockerIgnore } from './docker-ignore.ts';
import { planDockerfile } from './dockerfile-plan.ts';

/**
 * Lints a Dockerfile twice over: dockerfile-utils (the validator behind VS Code's Docker
 * language server, which reports what Docker's builder would reject) with every rule raised
 * to an error, then this project's rules for its images (pinned bases, a non-root user, a
 * health check, a stop signal, OCI labels, reproducible installs, COPY sources in the context).
 * Returns one line per finding; none means clean.
 */
export function lintDockerfile(
  text: string,
  context: { root: string; ignore: DockerIgnore },
): string[] {
  const everything: ValidatorSettings = {
    deprecatedMaintainer: ValidationSeverity.ERROR,
    directiveCasing: ValidationSeverity.ERROR,
    emptyContinuationLine: ValidationSeverity.ERROR,
    instructionCasing: ValidationSeverity.ERROR,
    instructionCmdMultiple: ValidationSeverity.ERROR,
    instructionEntrypointMultiple: ValidationSeverity.ERROR,
    instructionHealthcheckMultiple: ValidationSeverity.ERROR,
    instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
    instructionWorkdirRelative: ValidationSeverity.ERROR,
  };
  const findings = validate(text, everything).map(
    (d) =>
      `line ${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value} (dockerfile-utils)`,
  );
  let plan;
  try {
    plan = planDockerfile(text);
  } catch (error) {
    return [...findings, `${(error as Error).message} (extend deploy/images/dockerfile-plan.ts)`];
  }
  const stageNames = new Set<string>();
  for (const stage of plan.stages) {
    if (!stageNames.has(stage.base)) {
      // A version to the patch level, as the tag says what is inside; `latest` says nothing.
      if (!/:(?:[a-z-]*)?\d+\.\d+\.\d+[\w.-]*(?:@sha256:[0-9a-f]{64})?$/.test(stage.base)) {
        findings.push(`stage ${stage.name}: base image ${stage.base} is not pinned to a version`);
      }
    }
    stageNames.add(stage.name);
    for (const step of stage.steps) {
      if (step.kind === 'RUN') {
        if (/\bnpm\s+(install|i|add)\b/.test(step.command)) {
          findings.push(`line ${step.line}: use npm ci (the lockfile), not npm install`);
        }
        if (/\bsudo\b|\|\s*(ba)?sh\b/.test(step.command)) {
          findings.push(`line ${step.line}: no sudo, no piping downloads into a shell`);
        }
      }
      if (step.kind === 'COPY' && step.from === undefined) {
        for (const source of step.sources) {
          const relative = source.replace(/^\/+|\/+$/g, '');
          if (!existsSync(join(context.root, relative)) || context.ignore.excludes(relative)) {
            findings.push(
              `line ${step.line}: COPY source ${source} is not in the build context (.dockerignore?)`,
            );
          }
        }
      }
      if (step.kind === 'COPY' && step.from !== undefined && !stageNames.has(step.from)) {
        findings.push(`line ${step.line}: COPY --from=${step.from} names no earlier stage`);
      }
      if (step.kind === 'ENV') {
        for (const name of Object.keys(step.values)) {
          if (/PASSWORD|SECRET|TOKEN|PRIVATE|_KEY$/i.test(name)) {
            findings.push(
              `line ${step.line}: ENV ${name} looks like a secret; secrets come from the platform`,
            );
          }
        }
      }
    }
  }
  const { config } = plan;
  const uid = config.user?.split(':')[0];
  if (uid === undefined || !/^\d+$/.test(uid) || uid === '0') {
    findings.push(
      `the final stage must set USER to a numeric non-root uid (got ${config.user ?? 'none'})`,
    );
  }
  if (!config.healthcheck) findings.push('the final stage has no HEALTHCHECK');
  if (!config.stopSignal) findings.push('the final stage has no STOPSIGNAL');
  if (config.exposedPorts.length === 0) findings.push('the final stage EXPOSEs no port');
  if (config.cmd.length === 0) findings.push('the final stage has no CMD');
  // Fargate makes a scratch volume writable for a non-root user only when the image declares
  // it (it copies the image's folder and mode): the read-only root needs a writable /tmp.
  if (!config.volumes.includes('/tmp'))
    findings.push('the final stage must declare VOLUME ["/tmp"]');
  if (config.cmd[0] === 'npm')
    findings.push('CMD runs npm, which does not pass signals on to the service');
  for (const label of ['title', 'description', 'source', 'revision', 'created', 'licenses']) {
    if (!(`org.opencontainers.image.${label}` in config.labels)) {
      findings.push(`the final stage lacks the label org.opencontainers.image.${label}`);
    }
  }
  return findings;
}
