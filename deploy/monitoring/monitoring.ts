import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  appendOutputTo,
  freePort,
  startProcess,
  waitForHttp,
  type RunningProcess,
} from '@cloud-todo/testkit';
import { AlertReceiver, type ReceivedAlert } from './alert-receiver.ts';
import { renderAlertRules, type AlertTiming } from './alert-rules.ts';
import {
  renderAlertmanagerConfig,
  renderPrometheusConfig,
  type ScrapeTargets,
} from './prometheus-config.ts';
import { StatusPage } from './status-page.ts';

export interface MonitoringOptions extends Partial<AlertTiming> {
  /** Called with every alert Alertmanager delivers (the stack prints it). */
  readonly onAlert?: (alert: ReceivedAlert) => void;
  /** Also write each process's output to `<dir>/<name>.log`. */
  readonly logToFiles?: boolean;
}

/** The stack's defaults: a CloudWatch minute is six seconds here, scraped every second. */
export const STACK_TIMING: AlertTiming = { timeScale: 1 / 10, scrapeIntervalSeconds: 1 };

/** What the monitoring watches; built by the topology. */
export interface MonitoredTopology {
  readonly dir: string;
  readonly api: readonly { name: string; az: string; port: number }[];
  readonly web: readonly { name: string; az: string; statusPort: number }[];
  readonly haproxyMetrics: string;
  readonly databaseUrl: string;
}

/**
 * Prometheus and Alertmanager from Debian's packages, with the nginx and PostgreSQL
 * exporters, watching the replica: the local stand-in for CloudWatch metrics, alarms and
 * the SNS topic (a webhook receiver in this process).
 */
export class Monitoring {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly receiver: AlertReceiver;
  readonly statusPage: StatusPage;
  readonly timing: AlertTiming;
  readonly #processes: RunningProcess[];
  /** The log files being written, each settled once its process's output is all in it. */
  readonly #logs: Promise<void>[];

  private constructor(parts: {
    prometheusUrl: string;
    alertmanagerUrl: string;
    receiver: AlertReceiver;
    statusPage: StatusPage;
    timing: AlertTiming;
    processes: RunningProcess[];
    logs: Promise<void>[];
  }) {
    this.prometheusUrl = parts.prometheusUrl;
    this.alertmanagerUrl = parts.alertmanagerUrl;
    this.receiver = parts.receiver;
    this.statusPage = parts.statusPage;
    this.timing = parts.timing;
    this.#processes = parts.processes;
    this.#logs = parts.logs;
  }

  static async start(target: MonitoredTopology, options: MonitoringOptions = {}) {
    const timing: AlertTiming = {
      timeScale: options.timeScale ?? STACK_TIMING.timeScale,
      scrapeIntervalSeconds: options.scrapeIntervalSeconds ?? STACK_TIMING.scrapeIntervalSeconds,
    };
    const dir = target.dir;
    await mkdir(join(dir, 'prometheus-data'), { recursive: true });
    await mkdir(join(dir, 'alertmanager-data'), { recursive: true });
    const processes: RunningProcess[] = [];
    const logs: Promise<void>[] = [];
    const receiver = await AlertReceiver.start(options.onAlert);
    const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => {
      const process = startProcess(command, args, env ? { env } : {});
      processes.push(process);
      if (options.logToFiles) {
        logs.push(appendOutputTo(process, join(dir, `${name}.log`)));
      }
      return process;
    };
    try {
      const nginx = [];
      for (const web of target.web) {
        const address = `127.0.0.1:${await freePort()}`;
        const exporter = start(`nginx-exporter-${web.name}`, 'prometheus-nginx-exporter', [
          `-nginx.scrape-uri=http://127.0.0.1:${web.statusPort}/stub_status`,
          `-web.listen-address=${address}`,
          '-nginx.retries=20',
          '-nginx.retry-interval=250ms',
        ]);
        nginx.push({ name: web.name, az: web.az, address, exporter });
      }
      const postgres = `127.0.0.1:${await freePort()}`;
      const postgresExporter = start(
        'postgres-exporter',
        'prometheus-postgres-exporter',
        [`--web.listen-address=${postgres}`],
        // Its only setting that holds the connection string: an environment variable.
        { PATH: process.env.PATH, DATA_SOURCE_NAME: sslDisabled(target.databaseUrl) },
      );

      const alertmanager = `127.0.0.1:${await freePort()}`;
      const amConfig = join(dir, 'alertmanager.yml');
      await writeFile(
        amConfig,
        renderAlertmanagerConfig({ webhookUrl: receiver.url, groupWaitSeconds: 1 }),
      );
      const alertmanagerProcess = start('alertmanager', 'prometheus-alertmanager', [
        `--config.file=${amConfig}`,
        `--storage.path=${join(dir, 'alertmanager-data')}`,
        `--web.listen-address=${alertmanager}`,
        // One instance, no gossip: no cluster port to bind.
        '--cluster.listen-address=',
      ]);

      const targets: ScrapeTargets = {
        api: target.api.map((a) => ({ name: a.name, az: a.az, address: `127.0.0.1:${a.port}` })),
        haproxy: target.haproxyMetrics,
        nginx: nginx.map(({ name, az, address }) => ({ name, az, address })),
        postgres,
      };
      const ruleFile = join(dir, 'alert-rules.yml');
      await writeFile(ruleFile, renderAlertRules(timing));
      const promConfig = join(dir, 'prometheus.yml');
      await writeFile(
        promConfig,
        renderPrometheusConfig({
          targets,
          intervalSeconds: timing.scrapeIntervalSeconds,
          alertmanager,
          ruleFile,
        }),
      );
      const prometheus = `127.0.0.1:${await freePort()}`;
      const prometheusProcess = start('prometheus', 'prometheus', [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
        '--storage.tsdb.retention.time=1d',
        `--web.listen-address=${prometheus}`,
      ]);

      await waitForHttp(`http://${alertmanager}/-/ready`, { process: alertmanagerProcess });
      await waitForHttp(`http://${prometheus}/-/ready`, { process: prometheusProcess });
      for (const n of nginx)
        await waitForHttp(`http://${n.address}/metrics`, { process: n.exporter });
      await waitForHttp(`http://${postgres}/metrics`, { process: postgresExporter });
      // Prometheus applies new targets in its scrape manager's 5-second cycle: wait until
      // every target has been scraped once, so that what follows is measured.
      const expected = targets.api.length + targets.nginx.length + 2;
      await waitUntil(
        async () => (await queryValue(`http://${prometheus}`, 'count(up == 1)')) === expected,
        30_000,
        () => `not every scrape target is up:\n${prometheusProcess.output().slice(-2000)}`,
      );
      const statusPage = await StatusPage.start(`http://${prometheus}`);
      return new Monitoring({
        prometheusUrl: `http://${prometheus}`,
        alertmanagerUrl: `http://${alertmanager}`,
        receiver,
        statusPage,
        timing,
        processes,
        logs,
      });
    } catch (error) {
      await Promise.all(processes.map((p) => p.stop('SIGTERM', 5_000)));
      await receiver.close();
      throw error;
    }
  }

  /** Every pid the monitoring runs. */
  pids(): number[] {
    return this.#processes.filter((p) => p.child.exitCode === null).map((p) => p.pid);
  }

  /** Runs an instant PromQL query; answers the first sample's value (undefined: none). */
  query(promql: string): Promise<number | undefined> {
    return queryValue(this.prometheusUrl, promql);
  }

  async stop(): Promise<void> {
    await this.statusPage.close();
    await Promise.all(this.#processes.map((p) => p.stop('SIGTERM', 5_000)));
    await Promise.race([Promise.all(this.#logs), sleep(5_000)]);
    await this.receiver.close();
  }
}

/** An instant PromQL query's first value (undefined: no sample, or no answer). */
export async function queryValue(prometheusUrl: string, promql: string) {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
  const value = body.data?.result?.[0]?.value?.[1];
  return value === undefined ? undefined : Number(value);
}

async function waitUntil(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  message: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message());
    await sleep(250);
  }
}

/** The exporter's driver wants TLS by default; the replica's server is on loopback. */
function sslDisabled(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}
