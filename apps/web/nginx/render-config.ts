// Renders a complete nginx.conf for a plain (Debian) nginx around the web container's own
// server block, `default.conf`, so that tests and the local topology run the very config
// the container ships. Only the port, the document root and the paths nginx writes to
// change; an API upstream can be added for a one-origin setup without a load balancer.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The container's server block, as the Dockerfile copies it to conf.d/default.conf. */
export const DEFAULT_CONF_PATH = new URL('./default.conf', import.meta.url).pathname;

export interface NginxConfigOptions {
  /** TCP port to listen on. */
  readonly port: number;
  /** Address to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Folder of the built app (`apps/web/dist`), absolute. */
  readonly root: string;
  /** Folder for the pid file, logs and temporary files, absolute; must exist. */
  readonly runDir: string;
  /**
   * Where `/api/` goes: an upstream URL such as `http://127.0.0.1:5000`. Default: nowhere
   * (a 404, as in the container, where the load balancer routes `/api/*` to the API).
   */
  readonly apiUpstream?: string;
  /**
   * Run the worker as root. nginx started by root runs its workers as `nobody`, which
   * cannot read files in private (0700) temporary folders. Default: when running as root.
   */
  readonly workerAsRoot?: boolean;
  /** Path of nginx's MIME type table. Default `/etc/nginx/mime.types` (Debian's). */
  readonly mimeTypes?: string;
  /** Write an access log to `runDir/access.log`. Default `false`. */
  readonly accessLog?: boolean;
}

function replaceOnce(text: string, search: string, replacement: string): string {
  const at = text.indexOf(search);
  if (at < 0 || text.indexOf(search, at + 1) >= 0) {
    throw new Error(`default.conf must contain \`${search}\` exactly once`);
  }
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}

/** nginx's quoting for a path or URL inside a directive. */
function quote(value: string): string {
  if (/["\\\n;{}]/.test(value)) throw new Error(`unsupported character in ${value}`);
  return `"${value}"`;
}

/** The container's server block with this run's port, root and optional API upstream. */
export function renderServerBlock(options: NginxConfigOptions): string {
  let block = readFileSync(DEFAULT_CONF_PATH, 'utf8');
  block = replaceOnce(
    block,
    'listen 8080;',
    `listen ${options.host ?? '127.0.0.1'}:${options.port};`,
  );
  block = replaceOnce(block, 'root /usr/share/nginx/html;', `root ${quote(options.root)};`);
  if (options.apiUpstream !== undefined) {
    const upstream = new URL(options.apiUpstream);
    if (upstream.protocol !== 'http:' || upstream.pathname !== '/') {
      throw new Error(`apiUpstream must be a plain http://host:port URL: ${options.apiUpstream}`);
    }
    block = replaceOnce(
      block,
      `    location ^~ /api/ {
        return 404;
    }`,
      `    location ^~ /api/ {
        proxy_pass ${upstream.origin};
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
    }`,
    );
  }
  return block;
}

/** A complete nginx.conf: run it with `nginx -c <file> -e <runDir>/error.log`. */
export function renderNginxConfig(options: NginxConfigOptions): string {
  const run = (name: string) => quote(join(options.runDir, name));
  const asRoot = options.workerAsRoot ?? userInfo().uid === 0;
  return `# Rendered by @cloud-todo/web/nginx around apps/web/nginx/default.conf.
${asRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${run('nginx.pid')};
error_log ${run('error.log')} warn;

events {
    worker_connections 512;
}

http {
    include ${quote(options.mimeTypes ?? '/etc/nginx/mime.types')};
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    access_log ${options.accessLog ? run('access.log') : 'off'};
    client_body_temp_path ${run('client-body')};
    proxy_temp_path ${run('proxy')};
    fastcgi_temp_path ${run('fastcgi')};
    uwsgi_temp_path ${run('uwsgi')};
    scgi_temp_path ${run('scgi')};

${renderServerBlock(options)
  .split('\n')
  .map((line) => (line ? `    ${line}` : line))
  .join('\n')}
}
`;
}

/** A rendered config written to disk, with the arguments that start nginx on it. */
export interface WrittenNginxConfig {
  readonly configPath: string;
  readonly runDir: string;
  /** Arguments for the `nginx` binary (it stays in the foreground: `daemon off`). */
  readonly args: readonly string[];
}

/**
 * Writes the rendered config into `runDir` (a new temporary folder by default) and returns
 * the command line: `spawn('nginx', written.args)`.
 */
export async function writeNginxConfig(
  options: Omit<NginxConfigOptions, 'runDir'> & { readonly runDir?: string },
): Promise<WrittenNginxConfig> {
  const runDir = options.runDir ?? (await mkdtemp(join(tmpdir(), 'cloud-todo-nginx-')));
  await mkdir(runDir, { recursive: true });
  const configPath = join(runDir, 'nginx.conf');
  await writeFile(configPath, renderNginxConfig({ ...options, runDir }));
  return {
    configPath,
    runDir,
    args: ['-c', configPath, '-e', join(runDir, 'error.log'), '-p', runDir],
  };
}
