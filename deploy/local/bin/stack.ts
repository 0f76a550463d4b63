// `npm run stack -- --api 2 --web 2`: the production topology on this machine, until Ctrl-C.
import { parseArgs } from 'node:util';
import { formatAlert } from '../../monitoring/alert-receiver.ts';
import { PgBackRest } from '../pgbackrest.ts';
import { clearStackState, writeStackState } from '../stack-state.ts';
import { startTopology, type Topology } from '../topology.ts';

const usage = `Usage: npm run stack -- [--api N] [--web M] [--port P] [--database-url URL] [--shared-db]

  --api N            API processes (default 2), alternately in AZ a and b
  --web M            nginx instances of the web config (default 2)
  --port P           HAProxy's port on 127.0.0.1 (default 8080)
                     The database is a PostgreSQL cluster of the stack's own, with WAL
                     archiving to a pgBackRest repository and a first base backup
                     (npm run backup, npm run restore), unless one of these is given:
  --database-url URL use this database as it is (migrations run on it; no backups)
  --shared-db        a fresh database on the server at 127.0.0.1:5432 (no backups)
  --throwaway-db     a cluster of its own without WAL archiving
  --rate-limit-max R the API's RATE_LIMIT_MAX (requests per minute per client)
  --without-monitoring  no Prometheus, Alertmanager and exporters (they run by default;
                     alert rules at a tenth of CloudWatch's periods: a minute is 6 s)`;

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`${name} must be 1–16`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      web: { type: 'string' },
      port: { type: 'string' },
      'database-url': { type: 'string' },
      'throwaway-db': { type: 'boolean', default: false },
      'shared-db': { type: 'boolean', default: false },
      'rate-limit-max': { type: 'string' },
      'without-monitoring': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port ?? 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('--port: 1–65535');
  const databaseUrl = values['database-url'];

  const state: { topology?: Topology; stopping: boolean } = { stopping: false };
  const stop = async (signal: string) => {
    if (state.stopping) return;
    state.stopping = true;
    console.log(`\n${signal}: stopping everything the stack started…`);
    // While it is still starting, startTopology's result is stopped below.
    if (!state.topology) return;
    try {
      await clearStackState(state.topology.runDir);
      await state.topology.stop();
    } catch (error) {
      console.error(
        `stack: stopping failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    }
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const topology = await startTopology({
    api: count(values.api, 2, '--api'),
    web: count(values.web, 2, '--web'),
    port,
    database: databaseUrl
      ? { kind: 'url', url: databaseUrl }
      : {
          kind: values['shared-db'] ? 'fresh' : values['throwaway-db'] ? 'throwaway' : 'archived',
        },
    apiEnv: values['rate-limit-max'] ? { RATE_LIMIT_MAX: values['rate-limit-max'] } : {},
    logToFiles: true,
    ...(values['without-monitoring']
      ? {}
      : { monitoring: { onAlert: (alert) => console.log(`stack: alert ${formatAlert(alert)}`) } }),
    onProgress: (line) => console.log(`stack: ${line}`),
  });
  state.topology = topology;
  if (state.stopping) {
    await topology.stop();
    console.log('stopped.');
    return;
  }

  const t = topology;
  if (t.database.replica) {
    console.log('stack: taking the first base backup (pgBackRest)');
    await new PgBackRest(t.database.replica).backup('full');
  }
  await writeStackState(t);
  console.log(`
cloud-todo stack is up: ${t.url}

  load balancer  HAProxy pid ${t.haproxy?.pid}, /api/* → api, everything else → web
                 health checks GET /healthz every ${t.healthCheck.intervalMs} ms, fall ${t.healthCheck.fall}, rise ${t.healthCheck.rise}
${t.instances.map((i) => `  ${i.id.padEnd(13)}  AZ ${i.az}, 127.0.0.1:${i.port}, pid ${i.pid}`).join('\n')}
  database       ${t.database.source}: ${redact(t.database.url)}
  logs, config   ${t.runDir}

Runtime API (drain a target as ECS deregisters it before a stop):
  npm run lb -w deploy -- ${t.admin.socketPath} "set server api/a1 state drain"
  npm run lb -w deploy -- ${t.admin.socketPath} "show stat"

${
  t.monitoring
    ? `Monitoring (alerts print here as "stack: alert ALARM|OK …", as SNS would e-mail them):
  status page    ${t.monitoring.statusPage.url}  requests/s, 5xx %, p99, healthy instances per tier
  Prometheus     ${t.monitoring.prometheusUrl}/alerts  the rules, generated from infra's alarm catalogue
  Alertmanager   ${t.monitoring.alertmanagerUrl}
`
    : ''
}${
    t.database.replica
      ? `Backups (pgBackRest, WAL archived continuously; repository in ${t.database.replica.dir}/pgbackrest):
  npm run backup                                   another base backup (incremental)
  npm run restore -- --to ${new Date().toISOString()}   point-in-time restore
  npm run restore -- --latest                      restore to the end of the archived WAL
`
      : ''
  }
Ctrl-C stops everything.`);
  // An instance that dies is reported, not restarted: that is HAProxy's job to notice.
  for (const instance of t.instances) {
    void instance.process?.exited.then((code) => {
      if (!state.stopping) console.log(`stack: ${instance.id} exited (${code})`);
    });
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

main().catch((error: unknown) => {
  console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
