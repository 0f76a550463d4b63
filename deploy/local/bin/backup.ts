// `npm run backup [-- --full] [--stack <run folder>]`: a base backup of the running stack's
// database into its pgBackRest repository (incremental once a full one exists).
import { parseArgs } from 'node:util';
import { PgBackRest } from '../pgbackrest.ts';
import { readStackState, restoreScope } from '../stack-state.ts';

const usage = `Usage: npm run backup -- [--full] [--stack <run folder>]

  --full          a full backup (default: incremental, full when there is none yet)
  --stack DIR     the stack's run folder (default: the newest \`npm run stack\`)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      stack: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const { replica } = restoreScope(await readStackState(values.stack));
  const pgbackrest = new PgBackRest(replica);
  await pgbackrest.backup(values.full ? 'full' : 'incr', (line) => console.log(`backup: ${line}`));
  console.log('\nbackups in the repository (restore to any time after the first one ends):');
  for (const b of await pgbackrest.info()) {
    console.log(
      `  ${b.label}  ${b.type.padEnd(4)}  ${b.startedAt.toISOString()} → ${b.stoppedAt.toISOString()}  ${(b.bytes / 1024 ** 2).toFixed(1)} MiB`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`backup: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
