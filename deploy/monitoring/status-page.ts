import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The golden signals of one tier, as PromQL over the last `W` (replaced by the window). */
interface Tier {
  readonly name: string;
  readonly rate: string;
  readonly errors: string;
  readonly latency: string;
  readonly latencyLabel: string;
  readonly healthy: string;
  readonly total: string;
}

const serverCount = (proxy: string, state?: string) =>
  `count(haproxy_server_status{proxy="${proxy}",state="UP"}${state ? ' == 1' : ''})`;
const backendTier = (proxy: string): Omit<Tier, 'latency' | 'latencyLabel'> => ({
  name: proxy,
  rate: `sum(rate(haproxy_backend_http_requests_total{proxy="${proxy}"}[W]))`,
  errors: `100 * sum(rate(haproxy_backend_http_responses_total{proxy="${proxy}",code="5xx"}[W])) / sum(rate(haproxy_backend_http_requests_total{proxy="${proxy}"}[W]))`,
  healthy: serverCount(proxy, 'UP'),
  total: serverCount(proxy),
});

export const TIERS: readonly Tier[] = [
  {
    name: 'load balancer',
    rate: 'sum(rate(haproxy_frontend_http_requests_total{proxy="alb"}[W]))',
    errors:
      '100 * sum(rate(haproxy_frontend_http_responses_total{proxy="alb",code="5xx"}[W])) / sum(rate(haproxy_frontend_http_requests_total{proxy="alb"}[W]))',
    latency: 'max(haproxy_backend_total_time_average_seconds)',
    latencyLabel: 'avg total time (s)',
    healthy: 'count(haproxy_process_uptime_seconds)',
    total: 'vector(1)',
  },
  {
    ...backendTier('api'),
    latency:
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[W])))',
    latencyLabel: 'p99 (s)',
  },
  {
    ...backendTier('web'),
    latency: 'max(haproxy_backend_response_time_average_seconds{proxy="web"})',
    latencyLabel: 'avg (s): nginx has no percentiles',
  },
  {
    name: 'database',
    rate: 'sum(rate(pg_stat_database_xact_commit[W]))',
    errors:
      '100 * sum(rate(pg_stat_database_xact_rollback[W])) / sum(rate(pg_stat_database_xact_commit[W]) + rate(pg_stat_database_xact_rollback[W]))',
    latency: 'sum(pg_stat_activity_count)',
    latencyLabel: 'connections',
    healthy: 'sum(pg_up)',
    total: 'count(pg_up)',
  },
];

const WINDOW = '10s';

/**
 * A small page with the replica's golden signals per tier (requests/s, 5xx %, p99, healthy
 * instances) and the alerts that fire, refreshed every two seconds, with one link that
 * opens the same queries as graphs in Prometheus's own UI.
 */
export class StatusPage {
  readonly #server: Server;
  readonly #prometheusUrl: string;

  private constructor(server: Server, prometheusUrl: string) {
    this.#server = server;
    this.#prometheusUrl = prometheusUrl;
  }

  static async start(prometheusUrl: string): Promise<StatusPage> {
    const ready: { page?: StatusPage } = {};
    const server = createServer((request, response) => {
      if (request.url !== '/') {
        response.writeHead(404).end();
        return;
      }
      if (!ready.page) {
        response.writeHead(503).end();
        return;
      }
      ready.page
        .render()
        .then((html) => {
          response.writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
          });
          response.end(html);
        })
        .catch((error: unknown) => {
          response.writeHead(502, { 'content-type': 'text/plain' });
          response.end(`Prometheus did not answer: ${String(error)}`);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ready.page = new StatusPage(server, prometheusUrl);
    return ready.page;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/`;
  }

  /** Prometheus's graph page with every tier's queries, one graph each, over 15 minutes. */
  get graphsUrl(): string {
    const params = new URLSearchParams();
    let i = 0;
    for (const tier of TIERS) {
      for (const expr of [tier.rate, tier.errors, tier.latency]) {
        params.set(`g${i}.expr`, expr.replaceAll('[W]', '[1m]'));
        params.set(`g${i}.tab`, '0');
        params.set(`g${i}.range_input`, '15m');
        i++;
      }
    }
    return `${this.#prometheusUrl}/graph?${params.toString()}`;
  }

  async #value(promql: string): Promise<number | undefined> {
    const expr = promql.replaceAll('[W]', `[${WINDOW}]`);
    const response = await fetch(
      `${this.#prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`,
      { signal: AbortSignal.timeout(2_000) },
    );
    const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
    const value = body.data?.result?.[0]?.value?.[1];
    return value === undefined ? undefined : Number(value);
  }

  async render(): Promise<string> {
    const format = (v: number | undefined, digits: number) =>
      v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);
    const rows = await Promise.all(
      TIERS.map(async (tier) => {
        const [rate, errors, latency, healthy, total] = await Promise.all(
          [tier.rate, tier.errors, tier.latency, tier.healthy, tier.total].map((q) =>
            this.#value(q),
          ),
        );
        const down = healthy !== undefined && total !== undefined && healthy < total;
        return `<tr${down ? ' class="down"' : ''}><th>${escape(tier.name)}</th><td>${format(rate, 1)}</td><td>${format(errors, 2)}</td><td>${format(latency, 3)} <small>${escape(tier.latencyLabel)}</small></td><td>${format(healthy ?? 0, 0)} / ${format(total, 0)}</td></tr>`;
      }),
    );
    const alerts = (await (
      await fetch(`${this.#prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(2_000) })
    ).json()) as {
      data?: { alerts?: { state: string; labels: Record<string, string> }[] };
    };
    const alertItems = (alerts.data?.alerts ?? []).map(
      (a) =>
        `<li class="${escape(a.state)}">${escape(a.state)}: ${escape(a.labels.alertname ?? '')} <small>(CloudWatch ${escape(a.labels.cloudwatch_alarm ?? '')})</small></li>`,
    );
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>cloud-todo replica status</title>
<style>
body{font:15px system-ui,sans-serif;margin:2rem;max-width:60rem}
table{border-collapse:collapse;width:100%}th,td{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child{text-align:left}tr.down{background:#fdd}li.firing{color:#b00;font-weight:bold}li.pending{color:#a60}
</style></head><body>
<h1>cloud-todo replica</h1>
<p>Last ${WINDOW}, refreshed every 2 s. <a href="${escape(this.graphsUrl)}">The same as graphs in Prometheus</a> · <a href="${escape(this.#prometheusUrl)}/alerts">alert rules</a></p>
<table><thead><tr><th>tier</th><th>requests/s</th><th>5xx %</th><th>latency</th><th>healthy</th></tr></thead>
<tbody>${rows.join('')}</tbody></table>
<h2>Alerts</h2>
<ul>${alertItems.length ? alertItems.join('') : '<li>none pending or firing</li>'}</ul>
</body></html>`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
