import { stringify } from 'yaml';

/** What Prometheus scrapes on the replica (all on loopback). */
export interface ScrapeTargets {
  /** API instances' `/metrics`, by HAProxy server name. */
  readonly api: readonly { readonly name: string; readonly az: string; readonly address: string }[];
  /** HAProxy's built-in exporter (`host:port`). */
  readonly haproxy: string;
  /** One prometheus-nginx-exporter per web instance. */
  readonly nginx: readonly {
    readonly name: string;
    readonly az: string;
    readonly address: string;
  }[];
  /** prometheus-postgres-exporter. */
  readonly postgres: string;
}

export interface PrometheusConfigOptions {
  readonly targets: ScrapeTargets;
  /** Scrape and rule-evaluation interval, seconds. */
  readonly intervalSeconds: number;
  /** Alertmanager's `host:port`. */
  readonly alertmanager: string;
  /** Absolute path of the generated rule file. */
  readonly ruleFile: string;
}

/** prometheus.yml for the replica. https://prometheus.io/docs/prometheus/latest/configuration/configuration/ */
export function renderPrometheusConfig(options: PrometheusConfigOptions): string {
  const interval = `${options.intervalSeconds}s`;
  const job = (
    name: string,
    targets: readonly { address: string; labels?: Record<string, string> }[],
  ) => ({
    job_name: name,
    static_configs: targets.map((t) => ({ targets: [t.address], labels: t.labels ?? {} })),
  });
  const config = {
    global: {
      scrape_interval: interval,
      // A scrape may not outlast its interval.
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    rule_files: [options.ruleFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] },
    scrape_configs: [
      job(
        'api',
        options.targets.api.map((t) => ({
          address: t.address,
          labels: { server: t.name, az: t.az },
        })),
      ),
      { ...job('haproxy', [{ address: options.targets.haproxy }]), metrics_path: '/metrics' },
      job(
        'nginx',
        options.targets.nginx.map((t) => ({
          address: t.address,
          labels: { server: t.name, az: t.az },
        })),
      ),
      job('postgres', [{ address: options.targets.postgres }]),
    ],
  };
  return `# Rendered by deploy/monitoring/prometheus-config.ts.\n${stringify(config)}`;
}

export interface AlertmanagerConfigOptions {
  /** Where notifications go: the stack's receiver (the stand-in for the SNS topic). */
  readonly webhookUrl: string;
  /** Alertmanager's wait before the first notification of a group, seconds. */
  readonly groupWaitSeconds: number;
}

/**
 * alertmanager.yml: every alert, one group per alert name, to the webhook; resolved alerts
 * are sent too (SNS gets the OK transition as well).
 * https://prometheus.io/docs/alerting/latest/configuration/
 */
export function renderAlertmanagerConfig(options: AlertmanagerConfigOptions): string {
  const config = {
    route: {
      receiver: 'stack-console',
      group_by: ['alertname'],
      group_wait: `${options.groupWaitSeconds}s`,
      group_interval: `${options.groupWaitSeconds}s`,
      repeat_interval: '4h',
    },
    receivers: [
      {
        name: 'stack-console',
        webhook_configs: [{ url: options.webhookUrl, send_resolved: true }],
      },
    ],
  };
  return `# Rendered by deploy/monitoring/prometheus-config.ts.\n${stringify(config)}`;
}
