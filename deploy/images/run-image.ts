import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startProcess, type RunningProcess } from '@cloud-todo/testkit';
import type { AssembledImage } from './assemble-image.ts';
import { nginxMainConf } from './nginx-main-conf.ts';

/**
 * Starts an assembled image's file set the way a container runtime would start the image:
 * its ENTRYPOINT + CMD from its WORKDIR, with its ENV, as its USER (through setpriv when this
 * process is root), with the root file set read-only and a writable /tmp standing for the
 * tmpfs the platform mounts. Absolute paths of the image (in ENV, in arguments) point into the
 * file set. The base image's programs are the machine's: this Node.js for `node`, Debian's
 * nginx (with the unprivileged image's main nginx.conf) for `nginx`.
 */
export interface RunImageOptions {
  /** A folder outside the image for files the stand-in base needs (nginx.conf). */
  readonly runtimeDir: string;
  /** Environment set at `docker run -e` (it wins over the image's ENV). */
  readonly env?: Readonly<Record<string, string>>;
  /** The host port for the image's exposed port, where the port is not set by ENV. */
  readonly port?: number;
}

export interface RunningImage {
  readonly process: RunningProcess;
  /** Runs the image's HEALTHCHECK command as the image's user; resolves with its exit code. */
  healthcheck(): Promise<{ code: number | string; output: string }>;
  /** Sends the image's STOPSIGNAL (SIGTERM when unset) and resolves with the exit code. */
  stop(graceMs?: number): Promise<number | string>;
}

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Makes the file set read-only for everyone (chmod -R a-w) but for its VOLUME paths, which
 * stand for the writable volumes the platform mounts there (Fargate copies the image's folder
 * and its mode into a new volume; /tmp is 1777). The folder holding `root` must let other
 * users through.
 */
export async function makeReadOnly(root: string, volumes: readonly string[]): Promise<void> {
  for (const volume of volumes) await mkdir(join(root, volume), { recursive: true });
  await run('chmod', ['-R', 'a+rX,a-w', root]);
  for (const volume of volumes) await chmod(join(root, volume), 0o1777);
  await chmod(dirname(root), 0o755);
}

export async function startImage(
  image: AssembledImage,
  options: RunImageOptions,
): Promise<RunningImage> {
  const { config, root } = image;
  const inImage = (path: string) => join(root, path);
  const rewrite = async (value: string) =>
    value.startsWith('/') && (await exists(inImage(value))) ? inImage(value) : value;

  const env: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:${BASE_PATH}`,
    HOSTNAME: 'rehearsal',
  };
  for (const [name, value] of Object.entries(config.env)) env[name] = await rewrite(value);
  Object.assign(env, options.env);

  let argv = [...config.entrypoint, ...config.cmd];
  let healthArgv = [...(config.healthcheck?.command ?? [])];
  argv = await Promise.all(argv.map(rewrite));
  healthArgv = await Promise.all(healthArgv.map(rewrite));

  if (image.base.startsWith('nginxinc/nginx-unprivileged:')) {
    const standIn = await nginxStandIn(image, options);
    argv = [argv[0] ?? 'nginx', '-c', standIn.conf, '-e', 'stderr', ...argv.slice(1)];
    healthArgv = healthArgv.map((arg) => standIn.mapUrl(arg));
  }
  if (argv[0] === 'node') argv[0] = process.execPath;
  if (healthArgv[0] === 'node') healthArgv[0] = process.execPath;
  if (argv.length === 0) throw new Error('the image has no CMD');

  const cwd = inImage(config.workdir);
  const asUser = (command: readonly string[]) => withUser(config.user, command);
  const [command, ...args] = asUser(argv);
  const proc = startProcess(command as string, args, { cwd, env });
  return {
    process: proc,
    async healthcheck() {
      if (healthArgv.length === 0) throw new Error('the image has no HEALTHCHECK');
      const [hc, ...hcArgs] = asUser(healthArgv);
      return run(hc as string, hcArgs, { cwd, env, allowFailure: true });
    },
    stop(graceMs = 30_000) {
      return proc.stop((config.stopSignal ?? 'SIGTERM') as NodeJS.Signals, graceMs);
    },
  };
}

/** `USER uid:gid` → setpriv when root; as anyone else, the command runs as that user. */
function withUser(user: string | undefined, command: readonly string[]): string[] {
  if (process.getuid?.() !== 0) return [...command];
  const [uid, gid] = (user ?? '0').split(':');
  if (!/^\d+$/.test(uid ?? '') || (gid !== undefined && !/^\d+$/.test(gid))) {
    throw new Error(`USER must be numeric uid[:gid] for the rehearsal (got ${user})`);
  }
  const group = gid ?? uid ?? '0';
  return ['setpriv', `--reuid=${uid}`, `--regid=${group}`, '--clear-groups', '--', ...command];
}

/**
 * nginx stands in for the base image's: its main nginx.conf is the unprivileged image's, with
 * pid and temp files in the file set's /tmp; the image's conf.d files are included with their
 * absolute paths pointing into the file set and the exposed port moved to `options.port`.
 */
async function nginxStandIn(image: AssembledImage, options: RunImageOptions) {
  const exposed = image.config.exposedPorts[0] ?? 8080;
  const port = options.port ?? exposed;
  const confDir = join(options.runtimeDir, 'conf.d');
  await mkdir(confDir, { recursive: true });
  const imageConfDir = join(image.root, 'etc/nginx/conf.d');
  for (const file of (await readdir(imageConfDir)).filter((f) => f.endsWith('.conf'))) {
    const text = await readFile(join(imageConfDir, file), 'utf8');
    const rewritten = text
      .replace(/(\s)(\/(?:usr|etc|var)\/[^\s;'"]*)/g, (match, space: string, path: string) =>
        path.startsWith('/etc/nginx/') || path.startsWith('/usr/share/nginx/')
          ? `${space}${image.root}${path}`
          : match,
      )
      .replace(new RegExp(`\\blisten\\s+${exposed}\\b`, 'g'), `listen 127.0.0.1:${port}`);
    await writeFile(join(confDir, file), rewritten);
  }
  const conf = join(options.runtimeDir, 'nginx.conf');
  await writeFile(
    conf,
    // stdout may be a socket that another uid cannot open: the access log goes to /tmp.
    nginxMainConf({
      tmpDir: join(image.root, 'tmp'),
      confDir,
      errorLog: 'stderr',
      accessLog: join(image.root, 'tmp/access.log'),
    }),
  );
  return { conf, mapUrl: (arg: string) => arg.replace(`:${exposed}/`, `:${port}/`) };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean } = {},
): Promise<{ code: number | string; output: string }> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | string>((resolve) => {
    child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
    child.once('error', (error) => resolve(String(error)));
  });
  if (code !== 0 && !options.allowFailure)
    throw new Error(`${command} ${args.join(' ')} failed (${code}): ${output}`);
  return { code, output };
}
