// `npm run lb -w deploy -- <socket> "<command>"`: one command to HAProxy's runtime API,
// e.g. "set server api/a1 state drain", "show stat", "show servers state".
import { HaproxyAdmin } from '../haproxy-admin.ts';

const [socket, ...words] = process.argv.slice(2);
if (!socket || words.length === 0) {
  console.error('Usage: npm run lb -w deploy -- <admin socket> "<runtime API command>"');
  process.exit(2);
}
try {
  process.stdout.write(await new HaproxyAdmin(socket).command(words.join(' ')));
} catch (error) {
  console.error(`lb: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
