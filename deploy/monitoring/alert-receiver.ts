import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One alert as Alertmanager's webhook delivers it. */
export interface ReceivedAlert {
  readonly status: 'firing' | 'resolved';
  readonly name: string;
  /** The CloudWatch alarm it stands in for. */
  readonly cloudwatchAlarm: string;
  readonly summary: string;
  readonly startsAt: string;
  /** When the receiver got it (ms, `Date.now()`). */
  readonly receivedAt: number;
}

export interface WebhookPayload {
  alerts?: {
    status?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    startsAt?: string;
  }[];
}

/**
 * Alertmanager's webhook receiver, the stand-in for the SNS topic's e-mail: it keeps every
 * alert it is sent (a test reads them) and hands each to `onAlert` (the stack prints them).
 */
export class AlertReceiver {
  readonly received: ReceivedAlert[] = [];
  readonly #server: Server;
  readonly #onAlert: (alert: ReceivedAlert) => void;

  private constructor(server: Server, onAlert: (alert: ReceivedAlert) => void) {
    this.#server = server;
    this.#onAlert = onAlert;
  }

  static async start(onAlert: (alert: ReceivedAlert) => void = () => undefined) {
    const ready: { receiver?: AlertReceiver } = {};
    const server = createServer((request, response) => {
      if (request.method !== 'POST' || request.url !== '/alerts') {
        response.writeHead(404).end();
        return;
      }
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 1_000_000) request.destroy();
      });
      request.on('end', () => {
        try {
          ready.receiver?.accept(JSON.parse(body) as WebhookPayload);
          response.writeHead(200).end();
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ready.receiver = new AlertReceiver(server, onAlert);
    return ready.receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/alerts`;
  }

  /** Takes one webhook delivery. */
  accept(payload: WebhookPayload): void {
    for (const alert of payload.alerts ?? []) {
      const received: ReceivedAlert = {
        status: alert.status === 'resolved' ? 'resolved' : 'firing',
        name: alert.labels?.alertname ?? 'unknown',
        cloudwatchAlarm: alert.labels?.cloudwatch_alarm ?? '',
        summary: alert.annotations?.summary ?? '',
        startsAt: alert.startsAt ?? '',
        receivedAt: Date.now(),
      };
      this.received.push(received);
      this.#onAlert(received);
    }
  }

  /**
   * Waits for a notification of `name` with `status` received after `since` (ms); resolves
   * with it, or throws after `timeoutMs` listing what did arrive.
   */
  async waitFor(
    name: string,
    status: ReceivedAlert['status'],
    options: { since: number; timeoutMs: number },
  ): Promise<ReceivedAlert> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const found = this.received.find(
        (a) => a.name === name && a.status === status && a.receivedAt >= options.since,
      );
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no ${status} ${name} within ${options.timeoutMs} ms; received: ${JSON.stringify(this.received.map((a) => `${a.status} ${a.name}`))}`,
        );
      }
      await sleep(100);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** How the stack prints an alert: the e-mail's subject line. */
export function formatAlert(alert: ReceivedAlert): string {
  const state = alert.status === 'firing' ? 'ALARM' : 'OK   ';
  return `${state} ${alert.name} (CloudWatch: ${alert.cloudwatchAlarm}) ${alert.summary}`;
}
