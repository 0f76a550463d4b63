// `npm run stack` as a person uses it: it prints the URL, the app works through it (pages
// from nginx, the API behind the /api rule with absolute URLs built from the forwarded
// headers), it prints a status page and Prometheus with the alert rules loaded, backups and
// restores work on it from another terminal, and Ctrl-C stops every process it started and
// removes its database cluster.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { freePort, startProcess, type RunningProcess } from '@cloud-todo/testkit';

const STACK = resolve(import.meta.dirname, '../../local/bin/stack.ts');
const BACKUP = resolve(import.meta.dirname, '../../local/bin/backup.ts');
const RESTORE = resolve(import.meta.dirname, '../../local/bin/restore.ts');
let stack: RunningProcess | undefined;

afterAll(async () => {
  await stack?.stop('SIGINT', 20_000);
});

/** The processes below `pid`, from /proc. */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('npm run stack: serves the app through HAProxy, Ctrl-C stops everything it started', async () => {
  const port = await freePort();
  stack = startProcess(process.execPath, [
    STACK,
    '--api',
    '2',
    '--web',
    '2',
    '--port',
    String(port),
  ]);
  const deadline = Date.now() + 90_000;
  while (!stack.output().includes('Ctrl-C stops everything')) {
    if (stack.child.exitCode !== null || Date.now() > deadline) throw new Error(stack.output());
    await sleep(200);
  }
  const base = `http://127.0.0.1:${port}`;
  expect(stack.output()).toContain(`cloud-todo stack is up: ${base}`);
  for (const id of ['api/a1', 'api/b1', 'web/a1', 'web/b1']) expect(stack.output()).toContain(id);

  const page = await fetch(`${base}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('server')).toBe('nginx');
  expect(await page.text()).toMatch(/<html/i);

  const created = await fetch(`${base}/api/lists`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'stack test' }),
  });
  expect(created.status).toBe(201);
  const list = (await created.json()) as { id: string; url: string };
  expect(list.url).toBe(`${base}/api/lists/${list.id}`);

  // The database archives its WAL: `npm run backup` and `npm run restore -- --latest` work
  // on the running stack, and the list created above survives the restore.
  const runDir = /logs, config\s+(\S+)/.exec(stack.output())?.[1] as string;
  const clusterDir = /repository in (\S+)\/pgbackrest/.exec(stack.output())?.[1] as string;
  expect(existsSync(`${clusterDir}/pgbackrest/repo`)).toBe(true);
  const backup = startProcess(process.execPath, [BACKUP, '--stack', runDir]);
  expect(await backup.exited, backup.output()).toBe(0);
  expect(backup.output()).toMatch(/\d{8}-\d{6}F_\d{8}-\d{6}I\s+incr/);
  const restore = startProcess(process.execPath, [RESTORE, '--latest', '--stack', runDir]);
  expect(await restore.exited, restore.output()).toBe(0);
  expect(restore.output()).toContain('[6/6] put the API instances back in rotation');
  expect(restore.output()).toMatch(/100 % restored/);
  const again = await fetch(`${base}/api/lists/${list.id}`);
  expect(again.status).toBe(200);
  // To a point in time: a list created after it is gone, the one before it is back.
  const target = new Date().toISOString();
  await sleep(200);
  const later = await fetch(`${base}/api/lists`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'after the target' }),
  });
  const laterList = (await later.json()) as { id: string };
  const pitr = startProcess(process.execPath, [RESTORE, '--to', target, '--stack', runDir]);
  expect(await pitr.exited, pitr.output()).toBe(0);
  expect((await fetch(`${base}/api/lists/${list.id}`)).status).toBe(200);
  expect((await fetch(`${base}/api/lists/${laterList.id}`)).status).toBe(404);
  // To a time after which nothing committed: PostgreSQL cannot confirm such a target (it
  // stops at the first commit after it), so the restore takes the end of the archive.
  const idle = new Date().toISOString();
  await sleep(500);
  const quiet = startProcess(process.execPath, [RESTORE, '--to', idle, '--stack', runDir]);
  expect(await quiet.exited, quiet.output()).toBe(0);
  // The fallback really ran (an older list being there would hold without it).
  expect(quiet.output()).toContain('no transaction committed after the target');
  expect((await fetch(`${base}/api/lists/${list.id}`)).status).toBe(200);
  const badTarget = startProcess(process.execPath, [
    RESTORE,
    '--to',
    'yesterday',
    '--stack',
    runDir,
  ]);
  expect(await badTarget.exited).toBe(2);
  expect(badTarget.output()).toContain('ISO 8601 time with a zone');
  // The status page and Prometheus are printed, and they see the tiers.
  const statusUrl = /status page\s+(\S+)/.exec(stack.output())?.[1] as string;
  const status = await (await fetch(statusUrl)).text();
  expect(status).toMatch(/<th>api<\/th>.*?<td>2 \/ 2<\/td>/s);
  expect(status).toMatch(/<th>web<\/th>.*?<td>2 \/ 2<\/td>/s);
  const prometheus = /Prometheus\s+(\S+)\/alerts/.exec(stack.output())?.[1] as string;
  const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
    data: { groups: { rules: { name: string; health: string }[] }[] };
  };
  const loaded = rules.data.groups.flatMap((g) => g.rules);
  expect(loaded.length).toBeGreaterThan(10);
  expect(loaded.filter((r) => r.health === 'err')).toEqual([]);
  // Alertmanager delivers to the stack's console, as SNS e-mails: an alert posted to it by
  // hand (the local form of `aws cloudwatch set-alarm-state`) is printed.
  const alertmanager = /Alertmanager\s+(http\S+)/.exec(stack.output())?.[1] as string;
  const posted = await fetch(`${alertmanager}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels: { alertname: 'DeliveryTest', cloudwatch_alarm: 'BackupJobFailed' },
        annotations: { summary: 'delivery test' },
      },
    ]),
  });
  expect(posted.status).toBe(200);
  const printed = 'stack: alert ALARM DeliveryTest (CloudWatch: BackupJobFailed) delivery test';
  for (let i = 0; i < 100 && !stack.output().includes(printed); i++) await sleep(100);
  expect(stack.output()).toContain(printed);

  const started = [...children(stack.pid)];
  // HAProxy, two API processes, two nginx masters (and their workers below them), and the
  // monitoring: Prometheus, Alertmanager, two nginx exporters, the PostgreSQL exporter.
  expect(started.length).toBe(10);
  const all = started.flatMap((pid) => [pid, ...children(pid)]);

  stack.child.kill('SIGINT');
  expect(await stack.exited, stack.output()).toBe(0);
  expect(stack.output()).toContain('stopped.');
  await sleep(500);
  expect(all.filter(alive)).toEqual([]);
  // The cluster, its backups and the run folder are gone with it.
  expect(existsSync(clusterDir)).toBe(false);
  expect(existsSync(runDir)).toBe(false);
  stack = undefined;
});
