import { renderHaproxyConfig } from '../local/haproxy-config.ts';

/** The api and web services of compose.yaml: two of each, one per "AZ". */
export const COMPOSE_SERVERS = {
  api: ['a1', 'b1'].map((name) => ({ name, address: `api-${name}:5000` })),
  web: ['a1', 'b1'].map((name) => ({ name, address: `web-${name}:8080` })),
};

/**
 * The load balancer's config for compose.yaml: the local topology's renderer, with servers
 * by service name (re-resolved through Docker's DNS, so a recreated container is found),
 * the runtime API on TCP (published to the host's loopback only) and request logs on stdout.
 */
export function composeHaproxyConfig(): string {
  return renderHaproxyConfig({
    bind: ':8080',
    adminSocket: 'ipv4@0.0.0.0:9999',
    apiServers: COMPOSE_SERVERS.api,
    webServers: COMPOSE_SERVERS.web,
    dnsServer: '127.0.0.11:53',
    logToStdout: true,
  });
}
