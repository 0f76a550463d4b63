import { spawn } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { loadDockerIgnore, type DockerIgnore } from './docker-ignore.ts';
import {
  planDockerfile,
  type DockerfilePlan,
  type ImageConfig,
  type Stage,
  type Step,
} from './dockerfile-plan.ts';

/**
 * Builds an image's file set without a container engine: every stage of the Dockerfile gets a
 * folder of its own standing for its root file system, and its steps run as the builder would
 * run them — COPY from the build context (with .dockerignore applied) or from another stage's
 * folder, RUN as `/bin/sh -c` in the stage's WORKDIR with its ENV. The base images are not
 * here: the machine's own tools (Node.js 24, npm, nginx) stand in for theirs.
 */
export interface AssembleOptions {
  /** Path of the Dockerfile. */
  readonly dockerfile: string;
  /** The build context (the repository root). */
  readonly context: string;
  /** An empty folder to build in. */
  readonly workDir: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Added to the environment of RUN steps (e.g. npm's prefer-offline). */
  readonly runEnv?: Readonly<Record<string, string>>;
  /** Receives each step as it starts. */
  readonly log?: (line: string) => void;
}

export interface AssembledImage {
  /** The final stage's folder: the image's root file system. */
  readonly root: string;
  readonly config: ImageConfig;
  readonly plan: DockerfilePlan;
  /** The final stage's base image. */
  readonly base: string;
  /** Every stage's folder by stage name. */
  readonly stageRoots: Readonly<Record<string, string>>;
}

export async function assembleImage(options: AssembleOptions): Promise<AssembledImage> {
  const plan = planDockerfile(await readFile(options.dockerfile, 'utf8'), options.buildArgs);
  const ignore = await loadDockerIgnore(options.context);
  const stageRoots: Record<string, string> = {};
  for (const stage of plan.stages) {
    stageRoots[stage.name] = join(options.workDir, `stage-${stage.index}-${stage.name}`);
  }
  // As BuildKit does, a stage starts once the stages it copies from are done: independent
  // stages (the api's build, deps and rds-ca) run side by side.
  const done = new Map<string, Promise<void>>();
  for (const stage of plan.stages) {
    const needs = stage.steps.flatMap((s) => (s.kind === 'COPY' && s.from ? [s.from] : []));
    const root = stageRoots[stage.name] as string;
    done.set(
      stage.name,
      Promise.all(
        needs.map(
          (name) => done.get(name) ?? Promise.reject(new Error(`no earlier stage ${name}`)),
        ),
      ).then(async () => {
        await mkdir(root, { recursive: true });
        await runStage(stage, root, stageRoots, ignore, options);
      }),
    );
  }
  // Every stage settles before an error is reported, so nothing runs on in the background.
  const results = await Promise.allSettled(done.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const final = plan.stages.at(-1) as Stage;
  return {
    root: stageRoots[final.name] as string,
    config: plan.config,
    plan,
    base: final.base,
    stageRoots,
  };
}

async function runStage(
  stage: Stage,
  root: string,
  stageRoots: Readonly<Record<string, string>>,
  ignore: DockerIgnore,
  options: AssembleOptions,
): Promise<void> {
  let workdir = '/';
  const env: Record<string, string> = {};
  for (const step of stage.steps) {
    options.log?.(`[${stage.name}] ${describe(step)}`);
    switch (step.kind) {
      case 'WORKDIR':
        workdir = step.path;
        await mkdir(join(root, step.path), { recursive: true });
        break;
      case 'ENV':
        Object.assign(env, step.values);
        break;
      case 'COPY':
        await copyStep(step, root, stageRoots, ignore, options.context);
        break;
      case 'RUN':
        await runStep(step.command, join(root, workdir), { ...env, ...options.runEnv }, step.line);
        break;
    }
  }
}

async function copyStep(
  step: Extract<Step, { kind: 'COPY' }>,
  root: string,
  stageRoots: Readonly<Record<string, string>>,
  ignore: DockerIgnore,
  context: string,
): Promise<void> {
  const fromRoot = step.from === undefined ? context : stageRoots[step.from];
  if (fromRoot === undefined) throw new Error(`line ${step.line}: no stage named ${step.from}`);
  const intoFolder = step.destination.endsWith('/') || step.sources.length > 1;
  for (const source of step.sources) {
    const relative = posix.normalize(source).replace(/^\/+/, '').replace(/\/+$/, '');
    const visible = step.from !== undefined || !ignore.excludes(relative);
    const found = visible
      ? await lstat(join(fromRoot, relative)).catch(() => undefined)
      : undefined;
    if (!found) {
      const where =
        step.from === undefined ? 'the build context (after .dockerignore)' : `stage ${step.from}`;
      throw new Error(`line ${step.line}: COPY failed: ${source} not found in ${where}`);
    }
    // A folder's contents go into the destination; a file goes into it, or becomes it.
    const target = found.isDirectory()
      ? join(root, step.destination)
      : join(
          root,
          intoFolder ? posix.join(step.destination, posix.basename(relative)) : step.destination,
        );
    await mkdir(found.isDirectory() ? target : dirname(target), { recursive: true });
    if (step.from !== undefined && found.isDirectory()) {
      // Between stages nothing is filtered: cp -a keeps links and modes, and is much faster
      // than fs.cp on a node_modules tree.
      await runStep(`cp -a . '${target}'`, join(fromRoot, relative), {}, step.line);
      continue;
    }
    await cp(join(fromRoot, relative), target, {
      recursive: true,
      verbatimSymlinks: true,
      preserveTimestamps: true,
      filter: (path) => step.from !== undefined || !ignore.excludes(contextRelative(context, path)),
    });
  }
}

function contextRelative(context: string, path: string): string {
  return path.slice(context.length).replace(/^\/+/, '');
}

/** What a RUN step inherits: the builder's PATH with this Node.js first, nothing of npm's. */
export function buildEnvironment(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Running under `npm test`, npm hands its own settings down as npm_* variables; a build
    // starts without them.
    if (!/^npm_|^INIT_CWD$|^NODE_OPTIONS$|^VITEST/i.test(name)) env[name] = value;
  }
  env.PATH = `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`;
  return { ...env, ...extra };
}

async function runStep(
  command: string,
  cwd: string,
  env: Record<string, string>,
  line: number,
): Promise<void> {
  await mkdir(cwd, { recursive: true });
  const child = spawn('/bin/sh', ['-c', command], {
    cwd,
    env: buildEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const code = await new Promise<number | string>((resolve) => {
    child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
    child.once('error', (error) => resolve(String(error)));
  });
  if (code !== 0) throw new Error(`line ${line}: RUN ${command} failed (${code}):\n${output}`);
}

function describe(step: Step): string {
  switch (step.kind) {
    case 'WORKDIR':
      return `WORKDIR ${step.path}`;
    case 'ENV':
      return `ENV ${Object.keys(step.values).join(' ')}`;
    case 'COPY':
      return `COPY ${step.from ? `--from=${step.from} ` : ''}${step.sources.join(' ')} ${step.destination}`;
    case 'RUN':
      return `RUN ${step.command}`;
  }
}

/** Every path under `root` (relative, slash-separated), folders first. */
export async function listFiles(root: string, relative = ''): Promise<string[]> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  const paths: string[] = [];
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    paths.push(path);
    if (entry.isDirectory()) paths.push(...(await listFiles(root, path)));
  }
  return paths;
}

/** True when `path` under `root` exists (following links). */
export async function existsIn(root: string, path: string): Promise<boolean> {
  return stat(join(root, path)).then(
    () => true,
    () => false,
  );
}
