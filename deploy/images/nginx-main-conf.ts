/**
 * The main nginx.conf of the web image's base (nginxinc/nginx-unprivileged): nginx's stock
 * file as that image changes it — no `user` directive, the pid file and every temp path under
 * /tmp — so that nginx runs as any uid with a read-only root file system and a tmpfs on /tmp.
 * It includes conf.d/*.conf inside `http {}`, which is where the web's server block goes.
 *
 * The daemonless build's stand-in for that base image needs this file: the Debian nginx it
 * installs has a different one. Defaults are the image's paths.
 */
export interface NginxMainConfOptions {
  /** The writable folder for the pid file and temp files. Default `/tmp`. */
  readonly tmpDir?: string;
  /** Default `/etc/nginx/mime.types`. */
  readonly mimeTypes?: string;
  /** The folder whose `*.conf` files are included inside `http {}`. Default `/etc/nginx/conf.d`. */
  readonly confDir?: string;
  /** Default `/var/log/nginx/error.log` (a link to stderr in the image). */
  readonly errorLog?: string;
  /** Default `/var/log/nginx/access.log` (a link to stdout in the image). */
  readonly accessLog?: string;
  /** Default `auto`, as in the image. */
  readonly workerProcesses?: number | 'auto';
}

export function nginxMainConf(options: NginxMainConfOptions = {}): string {
  const tmp = options.tmpDir ?? '/tmp';
  return `# nginx.conf as in nginxinc/nginx-unprivileged (written by deploy/images/nginx-main-conf.ts)
worker_processes ${options.workerProcesses ?? 'auto'};

error_log ${options.errorLog ?? '/var/log/nginx/error.log'} notice;
pid ${tmp}/nginx.pid;

events {
    worker_connections 1024;
}

http {
    proxy_temp_path ${tmp}/proxy_temp;
    client_body_temp_path ${tmp}/client_temp;
    fastcgi_temp_path ${tmp}/fastcgi_temp;
    uwsgi_temp_path ${tmp}/uwsgi_temp;
    scgi_temp_path ${tmp}/scgi_temp;

    include ${options.mimeTypes ?? '/etc/nginx/mime.types'};
    default_type application/octet-stream;

    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" "$http_x_forwarded_for"';

    access_log ${options.accessLog ?? '/var/log/nginx/access.log'} main;

    sendfile on;
    keepalive_timeout 65;

    include ${options.confDir ?? '/etc/nginx/conf.d'}/*.conf;
}
`;
}
