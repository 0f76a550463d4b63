// `npm run bench -- topology`: the API scenarios of `api-bench.ts` (GET a list of 20 todos,
// POST a todo, PATCH a todo) through the local replica of the production topology — HAProxy
// as the ALB in front of 1 and of 2 API processes — against the same API process hit
// directly, in the same run, with autocannon over loopback. Reports req/s, p99, and CPU per
// request of the API processes and of the load balancer (from /proc, so a two-core machine's
// non-linear scaling shows for what it is).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startTopology, type Topology } from '../deploy/local/topology.ts';
import { CLOCK_TICKS_PER_S, cpuTicks, createApiScenarios, type Scenario } from './api-scenarios.ts';

// Each setup is measured in ROUNDS short runs, interleaved with the other setups, and the
// median is reported: on a shared two-core machine, a burst of someone else's work then
// lands on one run of one setup instead of on a whole setup.
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_S = 1;
const CONNECTIONS = 50;

type Setup = 'direct, 1 api' | 'haproxy, 1 api' | 'haproxy, 2 api';

interface Figures {
  readonly reqPerS: number;
  readonly p50: number;
  readonly p99: number;
  readonly apiCpuUsPerReq: number;
  readonly lbCpuUsPerReq: number;
  readonly errors: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** Medians of the runs of one setup; errors are summed. */
function summarize(runs: Figures[]): Figures {
  const of = (key: keyof Figures) => median(runs.map((r) => r[key]));
  return {
    reqPerS: of('reqPerS'),
    p50: of('p50'),
    p99: of('p99'),
    apiCpuUsPerReq: of('apiCpuUsPerReq'),
    lbCpuUsPerReq: of('lbCpuUsPerReq'),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

async function measure(topology: Topology, base: string, scenario: Scenario): Promise<Figures> {
  const options = scenario.request(base);
  await autocannon({ ...options, connections: CONNECTIONS, duration: WARMUP_S });
  const apiPids = topology.list('api').map((i) => i.pid);
  const lbPid = topology.haproxy?.pid;
  const apiBefore = (await Promise.all(apiPids.map(cpuTicks))).reduce((a, b) => a + b, 0);
  const lbBefore = await cpuTicks(lbPid);
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S });
  const apiAfter = (await Promise.all(apiPids.map(cpuTicks))).reduce((a, b) => a + b, 0);
  const lbAfter = await cpuTicks(lbPid);
  const requests = Math.max(result.requests.total, 1);
  const usPerReq = (ticks: number) => ((ticks / CLOCK_TICKS_PER_S) * 1e6) / requests;
  return {
    reqPerS: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    apiCpuUsPerReq: usPerReq(apiAfter - apiBefore),
    lbCpuUsPerReq: usPerReq(lbAfter - lbBefore),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export async function run(): Promise<void> {
  const topology = await startTopology({
    api: 2,
    web: 1,
    apiEnv: { RATE_LIMIT_MAX: '1000000000', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  try {
    const a1 = topology.get('api', 'a1');
    const b1 = topology.get('api', 'b1');
    const direct = `http://127.0.0.1:${a1.port}`;
    const list = await createApiScenarios(direct);
    const rows: Record<string, unknown>[] = [];
    const setups: Setup[] = ['direct, 1 api', 'haproxy, 1 api', 'haproxy, 2 api'];
    let errors = 0;
    for (const scenario of list) {
      const runs = new Map<Setup, Figures[]>(setups.map((setup) => [setup, []]));
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const setup of setups) {
          // One API instance behind HAProxy: the other in maintenance (no traffic, no checks).
          if (setup === 'haproxy, 1 api') await topology.maint(b1);
          if (setup === 'haproxy, 2 api') {
            await topology.ready(b1);
            await topology.admin.waitFor('api', 'b1', (s) => s.status === 'UP', 'UP');
          }
          const base = setup === 'direct, 1 api' ? direct : topology.url;
          runs.get(setup)?.push(await measure(topology, base, scenario));
        }
      }
      const summary = new Map(setups.map((setup) => [setup, summarize(runs.get(setup) ?? [])]));
      const directReqPerS = summary.get('direct, 1 api')?.reqPerS ?? NaN;
      const oneLbReqPerS = summary.get('haproxy, 1 api')?.reqPerS ?? NaN;
      for (const [setup, f] of summary) {
        errors += f.errors;
        rows.push({
          scenario: scenario.name,
          setup,
          'req/s': Math.round(f.reqPerS),
          'p50 ms': f.p50,
          'p99 ms': f.p99,
          'API CPU µs/req': Math.round(f.apiCpuUsPerReq),
          'LB CPU µs/req': setup === 'direct, 1 api' ? '' : Math.round(f.lbCpuUsPerReq),
          errors: f.errors,
          'vs direct': (f.reqPerS / directReqPerS).toFixed(2),
          'vs 1 api': setup === 'haproxy, 2 api' ? (f.reqPerS / oneLbReqPerS).toFixed(2) : '',
        });
      }
    }
    console.log(
      `\nTopology benchmark: ${CONNECTIONS} connections, median of ${ROUNDS} interleaved runs of ${DURATION_S} s ` +
        `(each after ${WARMUP_S} s warm-up), ` +
        `loopback; HAProxy health checks on; 'vs direct' = req/s relative to the same API process without the load balancer`,
    );
    console.table(rows);
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    const file = join(
      import.meta.dirname,
      'results',
      `topology-${new Date().toISOString().replace(/[:.]/g, '-')}.local.json`,
    );
    await writeFile(file, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`figures written to ${file}`);
    if (errors > 0) throw new Error(`${errors} requests failed during the benchmark`);
  } finally {
    await topology.stop();
  }
}
