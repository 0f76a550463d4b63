// Entry point of `npm run bench -- <scenario…>`: each scenario is a module `<name>-bench.ts`
// beside this file that exports `run(args)`; it prints its figures and exits non-zero on failure.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [name, ...args] = process.argv.slice(2);
const file = name === undefined ? undefined : join(import.meta.dirname, `${name}-bench.ts`);
if (file === undefined || !/^[a-z-]+$/.test(name ?? '') || !existsSync(file)) {
  console.error(`usage: npm run bench -- <scenario> [args]; scenarios: api, topology, memory`);
  process.exit(2);
}
const scenario = (await import(file)) as { run(args: string[]): Promise<void> };
try {
  await scenario.run(args);
} catch (error) {
  console.error(error);
  process.exit(1);
}
