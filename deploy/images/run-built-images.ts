// Runs the images that deploy/images/daemonless-build.sh built, as a container runtime would
// and without one (crun and runc both fail on this machine's cgroup set-up): each image's root
// file system from buildah, mounted read-only in a mount and pid namespace of its own, a tmpfs
// on /tmp, the image's USER, WORKDIR, ENV and CMD from its configuration. First its file set
// (what must be in it, what must not, nothing writable by its user), then /healthz, an API
// round trip or the page, the image's HEALTHCHECK inside its root, and its STOPSIGNAL: the
// exit code must be 0. Exits non-zero on any failure. Needs root.
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, findOrStartPostgres, freePort } from '@cloud-todo/testkit';

interface DockerConfig {
  User?: string;
  WorkingDir?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  StopSignal?: string;
  ExposedPorts?: Record<string, unknown>;
  Healthcheck?: { Test?: string[] };
  Volumes?: Record<string, unknown> | null;
}

/**
 * A process whose stdout and stderr go to a file anyone may write: the image's user must be
 * able to reopen /dev/stdout and /dev/stderr (nginx does), which a socket (Node's 'pipe')
 * does not allow.
 */
interface Logged {
  readonly pid: number;
  readonly exited: Promise<number | string>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

const logDir = mkdtempSync(join(tmpdir(), 'cloud-todo-run-'));
chmodSync(logDir, 0o755);

function startLogged(name: string, command: string, args: readonly string[]): Logged {
  const path = join(logDir, `${name}.log`);
  const fd = openSync(path, 'w', 0o666);
  chmodSync(path, 0o666);
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => resolve(String(error)));
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    pid: child.pid,
    exited,
    output: () => readFileSync(path, 'utf8'),
    kill: (signal) => void child.kill(signal),
  };
}

const buildah = (...args: string[]) => execFileSync('buildah', args, { encoding: 'utf8' }).trim();

/** Every path below `dir` of the image root `root` (relative to it), links not followed. */
function walk(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? [path, ...walk(root, path)] : [path];
  });
}

/**
 * What must hold of an image's file set whatever runs it: the paths it needs are there, the
 * paths it must not carry are not, and nothing under `owned` belongs to or is writable by the
 * image's user (the service cannot change its own code, even where the root is not read-only).
 */
function checkFileSet(
  name: string,
  root: string,
  config: DockerConfig,
  rules: { present: string[]; absent: RegExp; owned: string[] },
): void {
  const problems: string[] = [];
  for (const path of rules.present) {
    if (!existsSync(join(root, path))) problems.push(`${path} is missing`);
  }
  const [uid, gid = uid] = (config.User ?? '0').split(':').map(Number) as [number, number?];
  for (const dir of rules.owned) {
    for (const path of walk(root, dir)) {
      if (rules.absent.test(path)) problems.push(`${path} must not be in the image`);
      const info = lstatSync(join(root, path));
      if (info.isSymbolicLink()) continue;
      const writable =
        info.uid === uid ||
        (info.mode & 0o002) !== 0 ||
        (info.gid === gid && (info.mode & 0o020) !== 0);
      if (writable) {
        problems.push(`${path} is writable by the image's user ${uid}`);
      }
    }
  }
  if (!Object.keys(config.Volumes ?? {}).includes('/tmp')) problems.push('no VOLUME /tmp');
  if (problems.length > 0) {
    throw new Error(`${name}: file set:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
  process.stdout.write(`${name}: file set as it should be\n`);
}

const ROOT_SCRIPT = `
mnt=$1; user=$2; workdir=$3; shift 3
mount --bind "$mnt" "$mnt" && mount -o remount,bind,ro "$mnt" &&
mount -t tmpfs -o mode=1777 tmpfs "$mnt/tmp" && mount -t proc proc "$mnt/proc" &&
mount --rbind /dev "$mnt/dev" || exit 97
exec chroot --userspec="$user" "$mnt" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"`;

async function runImage(
  image: string,
  name: string,
  env: Record<string, string>,
  /** `own`: a network namespace of its own (the image's port needs no host port). */
  network: 'host' | 'own',
  files: (root: string, config: DockerConfig) => void,
  check: (
    get: (path: string) => Promise<{ status: number; body: string }>,
    port: number,
  ) => Promise<void>,
) {
  try {
    execFileSync('buildah', ['rm', `cloud-todo-run-${name}`], { stdio: 'ignore' });
  } catch {
    // none left from an earlier run
  }
  const container = buildah('from', '--pull-never', '--name', `cloud-todo-run-${name}`, image);
  const mnt = buildah('mount', container);
  const inspected = JSON.parse(buildah('inspect', '--type', 'image', image)) as {
    Docker: { config: DockerConfig };
  };
  const config = inspected.Docker.config;
  files(mnt, config);
  const environment = [...(config.Env ?? []), ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const user = config.User ?? '0';
  const inRoot = (argv: string[], ownNet: boolean) => [
    '--mount',
    '--pid',
    ...(ownNet ? ['--net'] : []),
    '--fork',
    '--kill-child',
    'sh',
    '-c',
    (ownNet ? 'ip link set lo up || exit 96\n' : '') + ROOT_SCRIPT,
    '-',
    mnt,
    user,
    config.WorkingDir || '/',
    'env',
    '-i',
    ...environment,
    ...argv,
  ];
  const proc = startLogged(name, 'unshare', inRoot(command, network === 'own'));
  try {
    // The image's process: unshare's child (sh, chroot and sh exec into it).
    let pid = 0;
    for (let i = 0; i < 100 && pid === 0; i++) {
      pid = Number(
        execFileSync('pgrep', ['-P', String(proc.pid)])
          .toString()
          .split('\n')[0] || 0,
      );
      if (pid === 0) await sleep(100);
    }
    const netns = `--net=/proc/${pid}/ns/net`;
    const port = Number(env.PORT ?? Object.keys(config.ExposedPorts ?? {})[0]?.split('/')[0] ?? 80);
    const get = async (path: string) => {
      const url = `http://127.0.0.1:${port}${path}`;
      if (network === 'host') {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        return { status: response.status, body: await response.text() };
      }
      try {
        const out = execFileSync('nsenter', [
          netns,
          'curl',
          '-s',
          '-m',
          '5',
          '-w',
          '\n%{http_code}',
          url,
        ]).toString();
        const at = out.lastIndexOf('\n');
        return { status: Number(out.slice(at + 1)), body: out.slice(0, at) };
      } catch {
        return { status: 0, body: '' };
      }
    };
    // Serving: 200 on /healthz within 60 s, unless the process ends first.
    const deadline = Date.now() + 60_000;
    while ((await get('/healthz').catch(() => ({ status: 0 }))).status !== 200) {
      if (Date.now() > deadline || (await Promise.race([proc.exited, sleep(200)])) !== undefined) {
        throw new Error(`${name}: /healthz never answered 200:\n${proc.output()}`);
      }
    }
    await check(get, port);
    const test = config.Healthcheck?.Test ?? [];
    const argv = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test[1] ?? ''] : test.slice(1);
    const health =
      network === 'host'
        ? startLogged(`${name}-healthcheck`, 'unshare', inRoot(argv, false))
        : startLogged(`${name}-healthcheck`, 'nsenter', [netns, 'unshare', ...inRoot(argv, false)]);
    const code = await health.exited;
    if (code !== 0) throw new Error(`${name}: HEALTHCHECK exited ${code}: ${health.output()}`);
    const signal = (config.StopSignal ?? 'SIGTERM') as NodeJS.Signals;
    // unshare passes no signal on: send it to the image's process (pid 1 in its namespace).
    const started = Date.now();
    process.kill(pid, signal);
    const exit = await Promise.race([proc.exited, sleep(30_000).then(() => 'no exit within 30 s')]);
    if (exit !== 0) throw new Error(`${name}: ${String(exit)} after ${signal}:\n${proc.output()}`);
    process.stdout.write(
      `${name}: served, HEALTHCHECK exit 0, ${signal} → exit 0 in ${Date.now() - started} ms\n`,
    );
  } finally {
    proc.kill('SIGKILL');
    buildah('umount', container);
    buildah('rm', container);
  }
}

const [
  apiImage = 'localhost/cloud-todo-api:daemonless',
  webImage = 'localhost/cloud-todo-web:daemonless',
] = process.argv.slice(2);
const server = await findOrStartPostgres();
const database = await createTestDatabase(server.adminUrl, 'daemonless');
try {
  await runImage(
    apiImage,
    'api',
    { PORT: String(await freePort()), DATABASE_URL: database.url, DB_SSL: 'disable' },
    // Host network: the API reaches the machine's PostgreSQL on loopback.
    'host',
    (root, config) => {
      // The service and its production dependencies only: no dev dependency of the workspace
      // or the root, no sources or tests, no other workspace.
      checkFileSet('api', root, config, {
        present: [
          'app/apps/api/dist/server.js',
          'app/apps/api/dist/migrate.js',
          'app/node_modules/fastify/package.json',
          'app/healthcheck.mjs',
        ],
        absent:
          /^app\/(node_modules\/(typescript|vitest|fast-check|@types|eslint|vite)\/|apps\/api\/(src|test)\/|apps\/(?!api(\/|$)))/,
        owned: ['app'],
      });
      const bundle = readFileSync(join(root, 'app/certs/rds-global-bundle.pem'), 'utf8');
      const pems = bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
      const subjects = pems.map((pem) => new X509Certificate(pem).subject);
      // RDS signs with these roots by default since 2024 (rds-ca-rsa2048-g1 and siblings).
      if (
        subjects.length < 100 ||
        !subjects.some((s) => s.includes('Amazon RDS us-east-1 Root CA RSA2048 G1'))
      ) {
        throw new Error(`api: the RDS CA bundle holds ${subjects.length} certificates`);
      }
      if (!config.Env?.includes('DB_CA_FILE=/app/certs/rds-global-bundle.pem')) {
        throw new Error('api: DB_CA_FILE does not name the bundle');
      }
    },
    async (get, port) => {
      // Ready once migrations ran and the pool answers.
      let ready = await get('/readyz');
      for (let i = 0; i < 300 && ready.status !== 200; i++) {
        await sleep(200);
        ready = await get('/readyz');
      }
      if (ready.status !== 200) throw new Error(`api: /readyz answered ${ready.status}`);
      const response = await fetch(`http://127.0.0.1:${port}/api/lists`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'daemonless' }),
      });
      if (response.status !== 201)
        throw new Error(`api: POST /api/lists answered ${response.status}`);
    },
  );
  // nginx listens on the image's own 8080, in a network namespace of its own.
  const web = (root: string, config: DockerConfig) =>
    checkFileSet('web', root, config, {
      present: ['usr/share/nginx/html/index.html', 'etc/nginx/conf.d/default.conf'],
      // The built app only: nothing of its build (dependencies, sources, source maps).
      absent: /node_modules|\.tsx?$|\.map$/,
      owned: ['usr/share/nginx/html', 'etc/nginx/conf.d'],
    });
  await runImage(webImage, 'web', {}, 'own', web, async (get) => {
    const page = await get('/lists/daemonless');
    if (page.status !== 200 || !page.body.includes('/assets/')) {
      throw new Error(`web: the page answered ${page.status}`);
    }
  });
} finally {
  await database.drop();
  await server.dispose?.();
}
