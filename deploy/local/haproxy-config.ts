/**
 * The HAProxy configuration that stands in for the production ALB: the same listener rule
 * (`/api/*` → api, everything else → web), active health checks on `GET /healthz`, the
 * ALB's forwarding headers, and a runtime API socket through which targets are drained the
 * way ECS deregisters a task before it stops it. One renderer serves the local topology
 * (servers on loopback ports) and the compose file (servers by service name).
 */

/** One target of a backend, as HAProxy names it (`api/a1`). */
export interface HaproxyServer {
  /** Server name inside its backend: the AZ letter and an index, e.g. `a1`, `b1`. */
  readonly name: string;
  /** `host:port`; a host name is resolved through `resolvers` when given. */
  readonly address: string;
}

/** Active health-check timing, applied to every server of both backends. */
export interface HealthCheckTiming {
  /** Milliseconds between two checks of one server. Default 1000. */
  readonly intervalMs: number;
  /** Consecutive failed checks before a server is taken out. Default 2. */
  readonly fall: number;
  /** Consecutive passed checks before a server is put back. Default 2. */
  readonly rise: number;
  /** Milliseconds a check may take before it counts as failed. Default 1000. */
  readonly timeoutMs: number;
}

export interface HaproxyConfigOptions {
  /** What the frontend listens on, e.g. `127.0.0.1:8080` or `:8080`. */
  readonly bind: string;
  /**
   * The runtime API (`level admin`): a unix socket path (mode 600), or `ipv4@<ip>:<port>`
   * where a unix socket cannot be reached (a container).
   */
  readonly adminSocket: string;
  readonly apiServers: readonly HaproxyServer[];
  readonly webServers: readonly HaproxyServer[];
  readonly healthCheck?: Partial<HealthCheckTiming>;
  /**
   * A DNS server (`ip:port`) to resolve server host names at run time, so that a replaced
   * container with a new address is found again (Docker's embedded DNS: `127.0.0.11:53`).
   */
  readonly dnsServer?: string;
  /** Log every request (HAProxy's HTTP log format) to stdout. Off by default. */
  readonly logToStdout?: boolean;
  /**
   * Where HAProxy's built-in Prometheus exporter answers `GET /metrics` (e.g.
   * `127.0.0.1:9101`): a listener of its own, apart from the traffic. Off by default.
   */
  readonly metricsBind?: string;
}

export const DEFAULT_HEALTH_CHECK: HealthCheckTiming = {
  intervalMs: 1_000,
  fall: 2,
  rise: 2,
  timeoutMs: 1_000,
};

/** The longest a dead server can keep receiving new requests: `fall` missed checks. */
export function detectionTimeMs(timing: HealthCheckTiming = DEFAULT_HEALTH_CHECK): number {
  return timing.intervalMs * timing.fall + timing.timeoutMs;
}

const SERVER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export function renderHaproxyConfig(options: HaproxyConfigOptions): string {
  const timing = { ...DEFAULT_HEALTH_CHECK, ...options.healthCheck };
  for (const server of [...options.apiServers, ...options.webServers]) {
    if (!SERVER_NAME.test(server.name)) throw new Error(`invalid server name: ${server.name}`);
    if (!ADDRESS.test(server.address)) throw new Error(`invalid address: ${server.address}`);
  }
  if (options.apiServers.length === 0 || options.webServers.length === 0) {
    throw new Error('both backends need at least one server');
  }
  if (/\s/.test(options.adminSocket)) throw new Error('the admin socket path has a space');
  if (options.metricsBind !== undefined && !ADDRESS.test(options.metricsBind)) {
    throw new Error(`invalid metrics address: ${options.metricsBind}`);
  }

  const resolve = options.dnsServer
    ? ` resolvers dns resolve-prefer ipv4 init-addr last,libc,none`
    : '';
  const servers = (list: readonly HaproxyServer[]) =>
    list.map((s) => `  server ${s.name} ${s.address}${resolve}`);

  const lines = [
    '# Rendered by deploy/local/haproxy-config.ts: edit the renderer, not this output.',
    'global',
    // The runtime API: `set server api/a1 state drain|maint|ready`, `show stat`.
    options.adminSocket.startsWith('ipv4@')
      ? `  stats socket ${options.adminSocket} level admin`
      : `  stats socket ${options.adminSocket} mode 600 level admin`,
    '  stats timeout 30s',
    '  maxconn 4096',
    ...(options.logToStdout ? ['  log stdout format raw local0 info'] : []),
    '',
    ...(options.dnsServer
      ? [
          'resolvers dns',
          `  nameserver dns ${options.dnsServer}`,
          '  hold valid 5s',
          '  hold nx 5s',
          '  hold obsolete 5s',
          '',
        ]
      : []),
    'defaults',
    '  mode http',
    ...(options.logToStdout ? ['  log global', '  option httplog', '  option dontlognull'] : []),
    '  timeout connect 2s',
    // The ALB's default idle timeout is 60 s; the API keeps connections open longer.
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 60s',
    '  timeout queue 10s',
    `  timeout check ${timing.timeoutMs}ms`,
    // Re-sending is safe only when the request cannot have been processed: a refused or
    // failed connection (any method, `retries` times, then on another server). After a
    // request reached a server, only safe methods are re-sent (see `disable-l7-retry`
    // below); a POST or PATCH that may have been applied is answered with the error, and
    // the client retries it with its Idempotency-Key.
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response response-timeout',
    // X-Forwarded-For is appended, as the ALB does.
    '  option forwardfor',
    '',
    'frontend alb',
    `  bind ${options.bind}`,
    // Like the ALB's X-Amzn-Trace-Id (Root=1-<epoch seconds, hex>-<96 random bits, hex>),
    // kept when the client sent one.
    '  unique-id-format "Root=1-%[date,hex,lower,bytes(8)]-%[rand,hex,lower,bytes(8)]%[rand,hex,lower,bytes(8)]%[rand,hex,lower,bytes(8)]"',
    '  http-request set-header X-Amzn-Trace-Id %[unique-id] unless { req.hdr(x-amzn-trace-id) -m found }',
    '  http-request set-header X-Forwarded-Proto https if { ssl_fc }',
    '  http-request set-header X-Forwarded-Proto http unless { ssl_fc }',
    '  http-request set-header X-Forwarded-Port %[dst_port]',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)] if { req.hdr(host) -m found }',
    '  http-request disable-l7-retry unless METH_GET || METH_OPTIONS',
    // The ALB listener rule (infra's API_PATHS): `/api` and `/api/*` go to the api,
    // everything else to the web tier.
    '  acl is_api path /api',
    '  acl is_api path_beg /api/',
    '  use_backend api if is_api',
    '  default_backend web',
    '',
    ...(options.metricsBind
      ? [
          // The ALB's CloudWatch metrics, locally: request and response counts per frontend,
          // backend and server, response times, server states.
          'frontend metrics',
          `  bind ${options.metricsBind}`,
          '  no log',
          '  http-request use-service prometheus-exporter if { path /metrics }',
          '  http-request return status 404',
          '',
        ]
      : []),
    ...backend('api', timing),
    ...servers(options.apiServers),
    '',
    ...backend('web', timing),
    ...servers(options.webServers),
    '',
  ];
  return lines.join('\n');
}

function backend(name: string, timing: HealthCheckTiming): string[] {
  return [
    `backend ${name}`,
    // The ALB's default algorithm.
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /healthz',
    '  http-check expect status 200',
    `  default-server check inter ${timing.intervalMs}ms fall ${timing.fall} rise ${timing.rise}`,
  ];
}
