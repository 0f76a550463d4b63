import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What `show stat` says about one server (the fields the topology acts on). */
export interface ServerStat {
  readonly backend: string;
  readonly server: string;
  /** `UP`, `DOWN`, `MAINT`, `DRAIN`, `UP 1/2` (rising), `DOWN 1/2` (falling), … */
  readonly status: string;
  /** Requests being served by this server right now (`scur`). */
  readonly current: number;
  /** Requests waiting in this server's queue (`qcur`). */
  readonly queued: number;
  /** Requests sent to this server since HAProxy started (`stot`). */
  readonly total: number;
}

/**
 * A client of HAProxy's runtime API (the `stats socket … level admin`): the local
 * counterpart of registering and deregistering ALB targets.
 * Reference: https://docs.haproxy.org/2.6/management.html#9.3
 */
export class HaproxyAdmin {
  /** A unix socket path, or `host:port` of a runtime API on TCP. */
  readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  /** Sends one command and answers HAProxy's reply (the socket closes after it). */
  command(line: string, timeoutMs = 5_000): Promise<string> {
    if (/[\r\n;]/.test(line)) throw new Error('one command per call, without ; or newlines');
    return new Promise((resolve, reject) => {
      // `host:port` for a runtime API on TCP (compose), else a unix socket path.
      const tcp = /^([\w.-]+):(\d+)$/.exec(this.socketPath);
      const socket = tcp
        ? createConnection(Number(tcp[2]), tcp[1])
        : createConnection(this.socketPath);
      let reply = '';
      socket.setEncoding('utf8');
      socket.setTimeout(timeoutMs, () => {
        socket.destroy(new Error(`HAProxy did not answer "${line}" within ${timeoutMs} ms`));
      });
      socket.on('connect', () => socket.end(`${line}\n`));
      socket.on('data', (chunk: string) => (reply += chunk));
      socket.on('error', reject);
      socket.on('close', (hadError) => {
        if (!hadError) resolve(reply);
      });
    });
  }

  /** `set server <backend>/<server> state ready|drain|maint`; throws on a refusal. */
  async setState(backend: string, server: string, state: 'ready' | 'drain' | 'maint') {
    const reply = (await this.command(`set server ${backend}/${server} state ${state}`)).trim();
    if (reply !== '')
      throw new Error(`HAProxy refused ${state} for ${backend}/${server}: ${reply}`);
  }

  async stats(): Promise<ServerStat[]> {
    const csv = await this.command('show stat');
    const [header, ...rows] = csv.split('\n').filter((l) => l.trim() !== '');
    if (!header?.startsWith('# ')) throw new Error(`unexpected "show stat" reply: ${csv}`);
    const columns = header.slice(2).split(',');
    const at = (name: string) => {
      const index = columns.indexOf(name);
      if (index < 0) throw new Error(`"show stat" has no ${name} column`);
      return index;
    };
    const [pxname, svname, status, scur, qcur, stot] = [
      at('pxname'),
      at('svname'),
      at('status'),
      at('scur'),
      at('qcur'),
      at('stot'),
    ];
    return rows
      .map((row) => row.split(','))
      .filter((f) => f[svname] !== 'FRONTEND' && f[svname] !== 'BACKEND')
      .map((f) => ({
        backend: f[pxname] ?? '',
        server: f[svname] ?? '',
        status: f[status] ?? '',
        current: Number(f[scur] ?? 0),
        queued: Number(f[qcur] ?? 0),
        total: Number(f[stot] ?? 0),
      }));
  }

  async stat(backend: string, server: string): Promise<ServerStat> {
    const found = (await this.stats()).find((s) => s.backend === backend && s.server === server);
    if (!found) throw new Error(`HAProxy has no server ${backend}/${server}`);
    return found;
  }

  /** Polls until `predicate` holds for the server; throws after `timeoutMs`. */
  async waitFor(
    backend: string,
    server: string,
    predicate: (stat: ServerStat) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<ServerStat> {
    const deadline = Date.now() + timeoutMs;
    let last: ServerStat | undefined;
    while (Date.now() < deadline) {
      last = await this.stat(backend, server);
      if (predicate(last)) return last;
      await sleep(50);
    }
    throw new Error(
      `${backend}/${server} not ${what} within ${timeoutMs} ms (last: ${JSON.stringify(last)})`,
    );
  }
}
