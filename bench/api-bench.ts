// `npm run bench -- api`: one API process on real PostgreSQL against a bare Fastify + pg
// ceiling running the same SQL, in the same run, with autocannon over loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import {
  createTestDatabase,
  findOrStartPostgres,
  freePort,
  waitForHttp,
} from '@cloud-todo/testkit';
import { CLOCK_TICKS_PER_S, cpuTicks, createApiScenarios, type Scenario } from './api-scenarios.ts';

const ROOT = join(import.meta.dirname, '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 2;
const CONNECTIONS = 50;

/** ours/ceiling: req/s at least `ratio`, CPU per request at most `cpuRatio`. */
const TARGETS = { ratio: 0.7, cpuRatio: 1.2, p99Ms: 25, rssMb: 150 };

interface Server {
  readonly name: 'ours' | 'ceiling';
  readonly url: string;
  readonly child: ChildProcess;
}

interface Figures {
  reqPerS: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  rssMb: number;
  errors: number;
}

async function startServer(
  name: Server['name'],
  databaseUrl: string,
  logDir: string,
): Promise<Server> {
  const port = await freePort();
  const log = await open(join(logDir, `${name}.log`), 'w');
  const args =
    name === 'ours'
      ? ['--enable-source-maps', join(ROOT, 'apps/api/dist/server.js')]
      : [join(import.meta.dirname, 'api-ceiling-server.ts')];
  // Logs go to a file, as stdout goes to the log driver in production: written, not discarded.
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      RATE_LIMIT_MAX: '1000000000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close(); // the child has its own copy of the descriptor
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(name === 'ours' ? `${url}/readyz` : `${url}/api/lists/x/todos`, {
    expectedStatus: name === 'ours' ? 200 : 404,
    timeoutMs: 60_000,
  });
  return { name, url, child };
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function measure(server: Server, scenario: Scenario): Promise<Figures> {
  const options = scenario.request(server.url);
  await autocannon({ ...options, connections: CONNECTIONS, duration: WARMUP_S });
  const pid = server.child.pid!;
  const before = await cpuTicks(pid);
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S });
  const after = await cpuTicks(pid);
  const requests = result.requests.total;
  return {
    reqPerS: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerReq: (((after - before) / CLOCK_TICKS_PER_S) * 1e6) / Math.max(requests, 1),
    rssMb: await peakRssMb(pid),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export async function run(): Promise<void> {
  const postgres = await findOrStartPostgres();
  const database = await createTestDatabase(postgres.adminUrl, 'bench');
  const logDir = await mkdtemp(join(tmpdir(), 'cloud-todo-bench-'));
  const servers: Server[] = [];
  try {
    const ours = await startServer('ours', database.url, logDir);
    servers.push(ours);
    const ceiling = await startServer('ceiling', database.url, logDir);
    servers.push(ceiling);

    const scenarios = await createApiScenarios(ours.url);

    const rows: Record<string, unknown>[] = [];
    let missed = 0;
    for (const scenario of scenarios) {
      const ceilingFigures = await measure(ceiling, scenario);
      const ourFigures = await measure(ours, scenario);
      const ratio = ourFigures.reqPerS / ceilingFigures.reqPerS;
      // CPU per request is the steadier figure on shared cores: throughput depends on what
      // else runs, the CPU time one request costs much less.
      const cpuRatio = ourFigures.cpuUsPerReq / ceilingFigures.cpuUsPerReq;
      for (const [name, figures] of [
        ['ceiling', ceilingFigures],
        ['ours', ourFigures],
      ] as const) {
        rows.push({
          scenario: scenario.name,
          server: name,
          'req/s': Math.round(figures.reqPerS),
          'p50 ms': figures.p50,
          'p99 ms': figures.p99,
          'CPU µs/req': Math.round(figures.cpuUsPerReq),
          'peak RSS MB': Math.round(figures.rssMb),
          errors: figures.errors,
          'req/s ours/ceiling': name === 'ours' ? ratio.toFixed(2) : '',
          'CPU ours/ceiling': name === 'ours' ? cpuRatio.toFixed(2) : '',
        });
      }
      const misses = [
        ratio < TARGETS.ratio && `req/s ratio ${ratio.toFixed(2)} < ${TARGETS.ratio}`,
        cpuRatio > TARGETS.cpuRatio && `CPU/req ratio ${cpuRatio.toFixed(2)} > ${TARGETS.cpuRatio}`,
        ourFigures.p99 > TARGETS.p99Ms && `p99 ${ourFigures.p99} ms > ${TARGETS.p99Ms} ms`,
        ourFigures.rssMb > TARGETS.rssMb &&
          `RSS ${Math.round(ourFigures.rssMb)} MB > ${TARGETS.rssMb} MB`,
        ourFigures.errors > 0 && `${ourFigures.errors} errors`,
      ].filter(Boolean);
      if (misses.length > 0) {
        missed += 1;
        console.log(`${scenario.name}: misses target: ${misses.join(', ')}`);
      }
    }
    console.log(
      `\nAPI benchmark: ${CONNECTIONS} connections, ${DURATION_S} s per scenario after ${WARMUP_S} s warm-up, loopback, ` +
        `one server process each; targets: req/s ours/ceiling ≥ ${TARGETS.ratio}, CPU/req ours/ceiling ≤ ${TARGETS.cpuRatio}, p99 ≤ ${TARGETS.p99Ms} ms, RSS ≤ ${TARGETS.rssMb} MB`,
    );
    console.table(rows);
    // On a shared two-core machine other work skews the absolute figures; the ratio and the
    // CPU time per request are the figures to compare between runs.
    console.log(
      `load average during the run: ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}`,
    );
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    const file = join(
      import.meta.dirname,
      'results',
      `api-${new Date().toISOString().replace(/[:.]/g, '-')}.local.json`,
    );
    await writeFile(file, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`figures written to ${file}; server logs in ${logDir}`);
    if (missed > 0) console.log(`${missed} scenario(s) missed a target`);
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
    await sleep(500);
    await database.drop().catch(() => undefined);
    await postgres.dispose?.();
  }
}
