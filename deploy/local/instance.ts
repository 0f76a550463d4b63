import type { RunningProcess } from '@cloud-todo/testkit';

export type InstanceKind = 'api' | 'web';
export type Az = 'a' | 'b';

/** One API process or nginx instance; its process changes when it is restarted. */
export class Instance {
  readonly kind: InstanceKind;
  /** The HAProxy server name: AZ letter and index, e.g. `a1`. */
  readonly name: string;
  readonly az: Az;
  readonly port: number;
  /** A web instance's `stub_status` port (loopback, for the exporter); absent for the API. */
  readonly statusPort: number | undefined;
  process: RunningProcess | undefined;

  constructor(kind: InstanceKind, name: string, az: Az, port: number, statusPort?: number) {
    this.kind = kind;
    this.name = name;
    this.az = az;
    this.port = port;
    this.statusPort = statusPort;
  }

  /** `api/a1`, as the runtime API and the logs name it. */
  get id(): string {
    return `${this.kind}/${this.name}`;
  }

  get pid(): number | undefined {
    return this.running ? this.process?.pid : undefined;
  }

  get running(): boolean {
    const child = this.process?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Where a check of the instance itself (not through the balancer) goes. */
  get healthUrl(): string {
    return `http://127.0.0.1:${this.port}/healthz`;
  }
}

/** Names instances `a1`, `b1`, `a2`, `b2`, …: the AZ letter and the index within it. */
export function instanceNames(count: number): { name: string; az: Az }[] {
  return Array.from({ length: count }, (_, i) => {
    const az: Az = i % 2 === 0 ? 'a' : 'b';
    return { name: `${az}${Math.floor(i / 2) + 1}`, az };
  });
}
