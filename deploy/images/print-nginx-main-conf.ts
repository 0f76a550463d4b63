// Prints the web image's base nginx.conf (see nginx-main-conf.ts) for the daemonless build.
import { nginxMainConf } from './nginx-main-conf.ts';

process.stdout.write(nginxMainConf());
