// `npm run bench -- memory`: the API under load inside a 512 MiB memory cgroup — what a
// 0.5 GB Fargate task gives it — with the heap flags of its container image. Passes when
// the process is never OOM-killed and its peak RSS stays under 60 % of the limit.
// Needs root (it creates a cgroup); bounded in time (~1 min), loopback only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import {
  createTestDatabase,
  findOrStartPostgres,
  freePort,
  waitForHttp,
} from '@cloud-todo/testkit';
import { createApiScenarios } from './api-scenarios.ts';

const ROOT = join(import.meta.dirname, '..');
const LIMIT_MIB = 512;
const MAX_RSS_SHARE = 0.6;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = 100;

/** The heap flags of the API image (apps/api/Dockerfile, NODE_OPTIONS): read, not copied. */
async function imageNodeOptions(): Promise<string> {
  const dockerfile = await readFile(join(ROOT, 'apps/api/Dockerfile'), 'utf8');
  const match = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile);
  if (!match?.[1]) throw new Error('apps/api/Dockerfile sets no NODE_OPTIONS="…"');
  return match[1];
}

interface MemoryCgroup {
  readonly path: string;
  /** The kernel's peak charge of the cgroup, in bytes. */
  peakBytes(): Promise<number>;
  /** How many times the OOM killer ran in it. */
  oomKills(): Promise<number>;
  remove(): Promise<void>;
}

/** A child memory cgroup (v2 or v1) with a hard limit and no swap. */
async function createCgroup(name: string, limitBytes: number): Promise<MemoryCgroup> {
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const base = v2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory';
  const path = join(base, name);
  try {
    await mkdir(path);
  } catch (error) {
    throw new Error(
      `cannot create the memory cgroup ${path} (run as root, on a host with cgroups): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const set = (file: string, value: string) => writeFile(join(path, file), value);
  const read = async (file: string) => (await readFile(join(path, file), 'utf8')).trim();
  if (v2) {
    await set('memory.max', String(limitBytes));
    if (existsSync(join(path, 'memory.swap.max'))) await set('memory.swap.max', '0');
  } else {
    await set('memory.limit_in_bytes', String(limitBytes));
    if (existsSync(join(path, 'memory.memsw.limit_in_bytes'))) {
      await set('memory.memsw.limit_in_bytes', String(limitBytes));
    }
  }
  return {
    path,
    async peakBytes() {
      return Number(await read(v2 ? 'memory.peak' : 'memory.max_usage_in_bytes'));
    },
    async oomKills() {
      const text = await read(v2 ? 'memory.events' : 'memory.oom_control');
      return Number(/oom_kill (\d+)/.exec(text)?.[1] ?? 0);
    },
    remove: () => rmdir(path),
  };
}

export async function run(): Promise<void> {
  const nodeOptions = await imageNodeOptions();
  const postgres = await findOrStartPostgres();
  const database = await createTestDatabase(postgres.adminUrl, 'bench');
  const cgroup = await createCgroup(`cloud-todo-bench-${process.pid}`, LIMIT_MIB * 1024 * 1024);
  const logDir = await mkdtemp(join(tmpdir(), 'cloud-todo-memory-'));
  const log = await open(join(logDir, 'api.log'), 'w');
  const port = await freePort();
  // The shell joins the cgroup, then becomes the API: every byte it ever uses is charged there.
  const child = spawn(
    '/bin/sh',
    ['-c', 'echo $$ > "$CGROUP/cgroup.procs" && exec "$NODE" --enable-source-maps "$SERVER"'],
    {
      env: {
        ...process.env,
        CGROUP: cgroup.path,
        NODE: process.execPath,
        SERVER: join(ROOT, 'apps/api/dist/server.js'),
        NODE_OPTIONS: nodeOptions,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        RATE_LIMIT_MAX: '1000000000',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', log.fd, log.fd],
    },
  );
  await log.close();
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ?? `exit code ${String(code)}`));
  let peakRssKb = 0;
  const sampler = setInterval(() => {
    void readFile(`/proc/${child.pid}/status`, 'utf8')
      .then((status) => {
        peakRssKb = Math.max(peakRssKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
      })
      .catch(() => undefined);
  }, 50);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, { timeoutMs: 60_000 });
    const scenarios = await createApiScenarios(url);
    // The three API scenarios, then bodies just under the 64 KiB limit (each refused with a
    // 400 after being read whole): the largest buffers a client can make the API hold.
    const big = JSON.stringify({ title: 'x'.repeat(60_000) });
    const runs: { name: string; options: autocannon.Options; body?: string }[] = [
      ...scenarios.map((scenario) => ({ name: scenario.name, options: scenario.request(url) })),
      {
        name: 'POST 60 KB bodies',
        options: scenarios[1]!.request(url),
        body: big,
      },
    ];
    const rows: Record<string, unknown>[] = [];
    for (const load of runs) {
      const result = await autocannon({
        ...load.options,
        ...(load.body === undefined ? {} : { body: load.body }),
        connections: CONNECTIONS,
        duration: DURATION_S,
      });
      rows.push({
        load: load.name,
        requests: result.requests.total,
        'req/s': Math.round(result.requests.average),
        errors: result.errors + result.timeouts,
        'peak RSS so far MiB': Math.round(peakRssKb / 1024),
      });
      if (exit !== undefined) break;
    }
    await sleep(200);
    const peakRssMib = peakRssKb / 1024;
    const cgroupPeakMib = (await cgroup.peakBytes()) / 1024 / 1024;
    const oomKills = await cgroup.oomKills();
    console.log(
      `\nAPI in a ${LIMIT_MIB} MiB memory cgroup (no swap), NODE_OPTIONS="${nodeOptions}", ` +
        `${CONNECTIONS} connections, ${DURATION_S} s per load:`,
    );
    console.table(rows);
    const verdicts = [
      `process: ${exit === undefined ? 'alive' : `ended (${exit})`}`,
      `OOM kills: ${oomKills}`,
      `peak RSS ${peakRssMib.toFixed(0)} MiB = ${((100 * peakRssMib) / LIMIT_MIB).toFixed(0)} % of the limit (target < ${MAX_RSS_SHARE * 100} %)`,
      `cgroup peak charge (what the kernel counted against the limit) ${cgroupPeakMib.toFixed(0)} MiB`,
    ];
    console.log(verdicts.join('\n'));
    await writeFile(
      join(
        import.meta.dirname,
        'results',
        `memory-${new Date().toISOString().replace(/[:.]/g, '-')}.local.json`,
      ),
      `${JSON.stringify({ nodeOptions, limitMib: LIMIT_MIB, rows, peakRssMib, cgroupPeakMib, oomKills, exit }, null, 2)}\n`,
    );
    if (exit !== undefined || oomKills > 0 || peakRssMib >= LIMIT_MIB * MAX_RSS_SHARE) {
      console.log('memory target missed');
      process.exitCode = 1;
    }
    console.log(`server log in ${logDir}`);
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((resolve) =>
      exit === undefined ? child.once('exit', resolve) : resolve(undefined),
    );
    await cgroup.remove().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await postgres.dispose?.();
  }
}
