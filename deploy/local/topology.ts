import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import {
  appendOutputTo,
  freePort,
  startProcess,
  waitForHttp,
  type RunningProcess,
} from '@cloud-todo/testkit';
import { Monitoring, type MonitoringOptions } from '../monitoring/monitoring.ts';
import { assertApiBuilt, runMigrations, startApiProcess } from './api-instance.ts';
import { HaproxyAdmin, type ServerStat } from './haproxy-admin.ts';
import { Instance, instanceNames, type Az, type InstanceKind } from './instance.ts';
import { descendants, killQuietly } from './process-tree.ts';
import {
  DEFAULT_HEALTH_CHECK,
  renderHaproxyConfig,
  type HealthCheckTiming,
} from './haproxy-config.ts';
import {
  provisionDatabase,
  type DatabaseSource,
  type TopologyDatabase,
} from './topology-database.ts';
import { assertWebBuilt, snapshotWebApp, startWebProcess } from './web-instance.ts';

export interface TopologyOptions {
  /** Number of API processes (≥ 1), alternately in AZ a and b. */
  readonly api: number;
  /** Number of nginx instances of the web config (≥ 1), alternately in AZ a and b. */
  readonly web: number;
  /** Port of the load balancer on 127.0.0.1; a free one when 0 or absent. */
  readonly port?: number;
  /** Default: a fresh database on the machine's server (or a throwaway cluster). */
  readonly database?: DatabaseSource;
  /** Extra environment for every API instance, e.g. `{ RATE_LIMIT_MAX: '1000000' }`. */
  readonly apiEnv?: NodeJS.ProcessEnv;
  readonly healthCheck?: Partial<HealthCheckTiming>;
  /** Also write every process's output to `<runDir>/<kind>-<name>.log`. */
  readonly logToFiles?: boolean;
  /** Called with progress lines (the stack command prints them). */
  readonly onProgress?: (line: string) => void;
  /** Also run Prometheus, Alertmanager and the exporters (deploy/monitoring). */
  readonly monitoring?: MonitoringOptions;
}

/**
 * The production topology on one machine: HAProxy as the ALB, N API processes, M nginx
 * instances of the web container's config, one PostgreSQL; instances in two "AZs".
 */
export class Topology {
  readonly url: string;
  readonly port: number;
  readonly runDir: string;
  readonly database: TopologyDatabase;
  readonly admin: HaproxyAdmin;
  readonly healthCheck: HealthCheckTiming;
  readonly instances: readonly Instance[];
  haproxy: RunningProcess | undefined;
  /** HAProxy's Prometheus exporter, `127.0.0.1:<port>`. */
  readonly haproxyMetrics: string;
  /** Set when started with `monitoring`. */
  monitoring: Monitoring | undefined;
  readonly #options: TopologyOptions;
  readonly #onExit = () => this.#killAllNow();
  /** The log files being written, each settled once its process's output is all in it. */
  readonly #logs: Promise<void>[] = [];

  constructor(
    options: TopologyOptions,
    parts: {
      port: number;
      runDir: string;
      database: TopologyDatabase;
      instances: Instance[];
      healthCheck: HealthCheckTiming;
      haproxyMetrics: string;
    },
  ) {
    this.#options = options;
    this.port = parts.port;
    this.url = `http://127.0.0.1:${parts.port}`;
    this.runDir = parts.runDir;
    this.database = parts.database;
    this.instances = parts.instances;
    this.healthCheck = parts.healthCheck;
    this.haproxyMetrics = parts.haproxyMetrics;
    this.admin = new HaproxyAdmin(join(parts.runDir, 'haproxy.sock'));
    process.on('exit', this.#onExit);
  }

  /** The instances of one kind, optionally of one AZ. */
  list(kind: InstanceKind, az?: Az): Instance[] {
    return this.instances.filter((i) => i.kind === kind && (az === undefined || i.az === az));
  }

  get(kind: InstanceKind, name: string): Instance {
    const found = this.instances.find((i) => i.kind === kind && i.name === name);
    if (!found) throw new Error(`no instance ${kind}/${name}`);
    return found;
  }

  /** Every pid this topology runs now (HAProxy and instances). */
  pids(): number[] {
    const pids = this.instances.map((i) => i.pid);
    if (this.haproxy?.child.exitCode === null) pids.push(this.haproxy.pid);
    pids.push(...(this.monitoring?.pids() ?? []));
    return pids.filter((p): p is number => p !== undefined);
  }

  /** Starts the instance's process (again) on its port and waits until it answers. */
  async startInstance(instance: Instance): Promise<void> {
    if (instance.running) throw new Error(`${instance.id} is already running`);
    const process =
      instance.kind === 'api'
        ? startApiProcess({
            port: instance.port,
            databaseUrl: this.database.url,
            env: this.#options.apiEnv,
          })
        : await startWebProcess({
            port: instance.port,
            dir: join(this.runDir, `web-${instance.name}`),
            root: join(this.runDir, 'web-root'),
            ...(instance.statusPort === undefined ? {} : { statusPort: instance.statusPort }),
          });
    instance.process = process;
    this.#logToFile(process, `${instance.kind}-${instance.name}`);
    // An API instance is ready once its database is reachable: what ECS waits for before
    // it registers a task, with the ALB's health check on top.
    const ready =
      instance.kind === 'api'
        ? `http://127.0.0.1:${instance.port}/readyz`
        : `http://127.0.0.1:${instance.port}/healthz`;
    await waitForHttp(ready, { process, timeoutMs: 60_000 });
  }

  /**
   * Sends `signal` and waits for the exit (SIGKILL after `graceMs`). SIGKILL takes the
   * instance's child processes too (nginx's workers), as a container's death does.
   */
  async stopInstance(instance: Instance, signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000) {
    if (!instance.process) return undefined;
    if (signal === 'SIGKILL' && instance.pid !== undefined) {
      // The parent first, so that nginx's master cannot start a new worker.
      const children = descendants(instance.pid);
      const exited = instance.process.stop('SIGKILL');
      for (const pid of children) killQuietly(pid, 'SIGKILL');
      return exited;
    }
    return instance.process.stop(signal, graceMs);
  }

  /** Takes the server out of rotation for new requests; those in flight finish. */
  drain(instance: Instance): Promise<void> {
    return this.admin.setState(instance.kind, instance.name, 'drain');
  }

  /** Puts the server back in rotation (HAProxy still requires its health checks to pass). */
  ready(instance: Instance): Promise<void> {
    return this.admin.setState(instance.kind, instance.name, 'ready');
  }

  maint(instance: Instance): Promise<void> {
    return this.admin.setState(instance.kind, instance.name, 'maint');
  }

  stat(instance: Instance): Promise<ServerStat> {
    return this.admin.stat(instance.kind, instance.name);
  }

  /** Waits until no request is in flight on (or queued for) the server. */
  waitIdle(instance: Instance, timeoutMs = 30_000): Promise<ServerStat> {
    return this.admin.waitFor(
      instance.kind,
      instance.name,
      (s) => s.current === 0 && s.queued === 0,
      'idle',
      timeoutMs,
    );
  }

  /** Waits until HAProxy's health checks pass for the server (`UP`, or `DRAIN` if drained). */
  waitHealthy(instance: Instance, timeoutMs = 30_000): Promise<ServerStat> {
    return this.admin.waitFor(
      instance.kind,
      instance.name,
      (s) => s.status === 'UP' || s.status === 'DRAIN',
      'healthy',
      timeoutMs,
    );
  }

  /** Waits until HAProxy's health checks have taken the server out (`DOWN`). */
  waitDown(instance: Instance, timeoutMs = 30_000): Promise<ServerStat> {
    return this.admin.waitFor(
      instance.kind,
      instance.name,
      (s) => s.status.startsWith('DOWN') && s.status !== 'DOWN 1/2',
      'down',
      timeoutMs,
    );
  }

  /**
   * Replaces an instance the way an ECS deployment replaces a task: deregister (drain) it,
   * wait until its in-flight requests are done, SIGTERM, start the replacement on the same
   * port, wait until it is healthy, register it again.
   */
  async replace(instance: Instance): Promise<void> {
    await this.drain(instance);
    await this.waitIdle(instance);
    const code = await this.stopInstance(instance, 'SIGTERM');
    if (code !== 0) {
      throw new Error(
        `${instance.id} exited with ${code} on SIGTERM:\n${instance.process?.output() ?? ''}`,
      );
    }
    await this.startInstance(instance);
    await this.waitHealthy(instance);
    await this.ready(instance);
    await this.admin.waitFor(instance.kind, instance.name, (s) => s.status === 'UP', 'UP');
  }

  /** Stops everything this topology started, newest first, and drops its database. */
  async stop(): Promise<void> {
    process.off('exit', this.#onExit);
    await this.monitoring?.stop();
    await this.haproxy?.stop('SIGTERM', 5_000);
    await Promise.all(
      this.instances.map((i) =>
        i.process
          ? i.process.stop(i.kind === 'web' ? 'SIGQUIT' : 'SIGTERM', 15_000)
          : Promise.resolve(undefined),
      ),
    );
    await this.database.dispose();
    // The stopped processes' last lines into their log files, then the folder (bounded: a
    // child that outlives its parent could hold a pipe open).
    await Promise.race([Promise.all(this.#logs), sleep(5_000)]);
    await rm(this.runDir, { recursive: true, force: true });
  }

  /** Starts HAProxy with the rendered config; resolves once every server is UP. */
  async startBalancer(): Promise<void> {
    const config = renderHaproxyConfig({
      bind: `127.0.0.1:${this.port}`,
      adminSocket: this.admin.socketPath,
      apiServers: this.list('api').map((i) => ({ name: i.name, address: `127.0.0.1:${i.port}` })),
      webServers: this.list('web').map((i) => ({ name: i.name, address: `127.0.0.1:${i.port}` })),
      healthCheck: this.healthCheck,
      metricsBind: this.haproxyMetrics,
    });
    const configPath = join(this.runDir, 'haproxy.cfg');
    await writeFile(configPath, config);
    const check = startProcess('haproxy', ['-c', '-q', '-f', configPath]);
    if ((await check.exited) !== 0) throw new Error(`invalid HAProxy config:\n${check.output()}`);
    this.haproxy = startProcess('haproxy', ['-db', '-f', configPath]);
    this.#logToFile(this.haproxy, 'haproxy');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const stats = await this.admin.stats().catch(() => []);
      if (stats.length === this.instances.length && stats.every((s) => s.status === 'UP')) return;
      if (this.haproxy.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `HAProxy did not come up with every server UP (${JSON.stringify(stats)}):\n${this.haproxy.output()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  #logToFile(process: RunningProcess, name: string): void {
    if (!this.#options.logToFiles) return;
    this.#logs.push(appendOutputTo(process, join(this.runDir, `${name}.log`)));
  }

  /** Last resort when the owning process exits without `stop()`: no orphans. */
  #killAllNow(): void {
    for (const pid of this.pids()) {
      const children = descendants(pid);
      killQuietly(pid, 'SIGKILL');
      for (const child of children) killQuietly(child, 'SIGKILL');
    }
  }
}

/**
 * Starts the whole topology: database (+ migrations, once), API instances, web instances,
 * then HAProxy once they answer. On failure, whatever started is stopped again.
 */
export async function startTopology(options: TopologyOptions): Promise<Topology> {
  if (!Number.isInteger(options.api) || options.api < 1) throw new Error('api must be ≥ 1');
  if (!Number.isInteger(options.web) || options.web < 1) throw new Error('web must be ≥ 1');
  assertApiBuilt();
  assertWebBuilt();
  const progress = options.onProgress ?? (() => undefined);
  const runDir = await mkdtemp(join(tmpdir(), 'cloud-todo-topology-'));
  await mkdir(runDir, { recursive: true });
  const database = await provisionDatabase(options.database ?? { kind: 'fresh' });
  const port = options.port || (await freePort());
  const instances: Instance[] = [];
  for (const kind of ['api', 'web'] as const) {
    for (const { name, az } of instanceNames(options[kind])) {
      const statusPort = kind === 'web' ? await freePort() : undefined;
      instances.push(new Instance(kind, name, az, await freePort(), statusPort));
    }
  }
  const topology = new Topology(options, {
    port,
    runDir,
    database,
    instances,
    healthCheck: { ...DEFAULT_HEALTH_CHECK, ...options.healthCheck },
    haproxyMetrics: `127.0.0.1:${await freePort()}`,
  });
  try {
    progress(`database: ${database.source}; running migrations`);
    await runMigrations(database.url);
    await snapshotWebApp(join(runDir, 'web-root'));
    progress(`starting ${options.api} API and ${options.web} web instances`);
    await Promise.all(instances.map((i) => topology.startInstance(i)));
    progress('starting HAProxy');
    await topology.startBalancer();
    if (options.monitoring) {
      progress('starting Prometheus, Alertmanager and the exporters');
      const dir = join(runDir, 'monitoring');
      await mkdir(dir, { recursive: true });
      topology.monitoring = await Monitoring.start(
        {
          dir,
          api: topology.list('api').map((i) => ({ name: i.name, az: i.az, port: i.port })),
          web: topology
            .list('web')
            .map((i) => ({ name: i.name, az: i.az, statusPort: i.statusPort as number })),
          haproxyMetrics: topology.haproxyMetrics,
          databaseUrl: database.url,
        },
        { logToFiles: options.logToFiles ?? false, ...options.monitoring },
      );
    }
    return topology;
  } catch (error) {
    await topology.stop().catch(() => undefined);
    throw error;
  }
}
