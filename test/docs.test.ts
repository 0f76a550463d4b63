import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every `npm run …` that a document names must exist in the package it runs in, and every
// relative link (with its #anchor, for Markdown targets) must resolve: English and German
// docs alike, READMEs included. And every figure requirements.md quotes from operations.md or
// backup.md must be the one those pages give.
const root = resolve(import.meta.dirname, '..');
const skip = new Set(['node_modules', '.git', 'dist', 'data', 'coverage', 'cdk.out']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (
      skip.has(entry.name) ||
      (entry.name.startsWith('.') && entry.name !== '.devcontainer' && entry.name !== '.github')
    ) {
      return [];
    }
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const files = markdownFiles(root);
const rel = (path: string) => relative(root, path);

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
}
const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const workspaceDirs = [
  root,
  ...['apps', 'packages'].flatMap((d) => readdirSync(join(root, d)).map((n) => join(root, d, n))),
  join(root, 'infra'),
  join(root, 'deploy'),
  join(root, 'bench'),
].filter((d) => existsSync(join(d, 'package.json')));
const byName = new Map(workspaceDirs.map((d) => [manifest(d).name, d]));

function workspaceDir(spec: string): string | undefined {
  const asPath = join(root, spec.replace(/\/$/, ''));
  if (existsSync(join(asPath, 'package.json'))) return asPath;
  return byName.get(spec);
}

/** The workspace a file belongs to (the nearest package.json above it), or the root. */
function ownPackageDir(file: string): string {
  let dir = dirname(file);
  while (dir !== root && !existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/**
 * `npm run <script> [-w <workspace>]` occurrences, with the folders it may run in: the one
 * named by -w, or by a `cd` earlier in the same code block; else the repository root, or, in
 * a workspace's own README, that workspace.
 */
export function npmRunCommands(text: string, file = join(root, 'README.md')) {
  const found: { line: number; command: string; script: string; dirs: string[] }[] = [];
  const defaults = [...new Set([root, ownPackageDir(file)])];
  let inFence = false;
  let cwd: string[] = defaults;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      cwd = defaults; // a `cd` holds until its code block ends
      return;
    }
    const cd = inFence ? /^\s*cd\s+([^\s;&]+)/.exec(line) : null;
    if (cd) cwd = [resolve(root, cd[1]!)];
    for (const match of line.matchAll(/npm run\s+([^`|;&#\n]*)/g)) {
      const tokens = match[1]!.trim().split(/\s+/);
      let script: string | undefined;
      let dirs = cwd;
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i]!;
        if (token === '--') break;
        const inline = /^--workspace=(.+)$/.exec(token);
        const named = token === '-w' || token === '--workspace' ? tokens[++i] : inline?.[1];
        if (named !== undefined) dirs = [workspaceDir(named) ?? `(unknown workspace ${named})`];
        else if (!token.startsWith('-') && script === undefined) script = token;
      }
      // "npm run …" or "npm run <script>" in prose name no script.
      if (!script || !/^[a-z][\w:.-]*$/i.test(script)) continue;
      found.push({ line: index + 1, command: `npm run ${match[1]!.trim()}`, script, dirs });
    }
  });
  return found;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1 for repeats. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Relative link targets outside code: `[text](target)`. */
export function relativeLinks(text: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  let inFence = false;
  text.split('\n').forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ line: index + 1, target });
    }
  });
  return links;
}

/** The Markdown tables outside code: header cells and rows of cells, `**` and backticks dropped. */
export function markdownTables(text: string): { header: string[]; rows: string[][] }[] {
  const tables: { header: string[]; rows: string[][] }[] = [];
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(' | ')
      .map((cell) => cell.replace(/\*\*|`/g, '').trim());
  let inFence = false;
  let current: { header: string[]; rows: string[][] } | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence || !/^\s*\|.*\|\s*$/.test(line)) current = undefined;
    else if (current) current.rows.push(cells(line));
    else if (/^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i + 1] ?? '')) {
      current = { header: cells(line), rows: [] };
      tables.push(current);
      i++; // the line under the header
    }
  }
  return tables;
}

/**
 * A figure that requirements.md quotes in its "last measured" column, and where it is measured.
 * `quoted` finds it in the requirement's row (first capture group, exactly one match); the
 * source cell is the one in the column headed `column`, in the row whose first cell is `row`
 * (or the `row`-th row of that table), and `value` finds the figure there (default: the first
 * number in the cell).
 */
interface Quote {
  readonly nfr: string;
  readonly quoted: RegExp;
  readonly source: 'docs/operations.md' | 'docs/backup.md';
  readonly row: string | number;
  readonly column: string;
  readonly value?: RegExp;
}

const OPS = 'docs/operations.md';
const BACKUP = 'docs/backup.md';
const AZ_LOSS = 'loss of AZ b (api + web)';
const DB_RESTART = 'database restart (5 s down)';
const BEFORE_TARGET = 'before the target (missing)';
/** The restore drill's figures are in both pages' tables; each must agree with requirements.md. */
const restoreDrill = (source: Quote['source']): Quote[] => [
  {
    nfr: 'NFR-2',
    quoted: /(\d+) acknowledged writes before the target/,
    source,
    row: 0,
    column: BEFORE_TARGET,
    value: /^(\d+)/,
  },
  {
    nfr: 'NFR-2',
    quoted: /before the target, (\d+) missing/,
    source,
    row: 0,
    column: BEFORE_TARGET,
    value: /\((\d+)\)/,
  },
  { nfr: 'NFR-2', quoted: /RPO ([\d.]+) s/, source, row: 0, column: 'RPO' },
  { nfr: 'NFR-3', quoted: /RTO ([\d.]+) s/, source, row: 0, column: 'RTO' },
];
export const QUOTES: readonly Quote[] = [
  {
    nfr: 'NFR-1',
    quoted: /AZ loss under load, (\d+) requests/,
    source: OPS,
    row: AZ_LOSS,
    column: 'requests',
  },
  { nfr: 'NFR-1', quoted: /(\d+) given up/, source: OPS, row: AZ_LOSS, column: 'gave up' },
  { nfr: 'NFR-1', quoted: /given up, (\d+) lost/, source: OPS, row: AZ_LOSS, column: 'lost' },
  {
    nfr: 'NFR-1',
    quoted: /recovered in ([\d.]+) s/,
    source: OPS,
    row: AZ_LOSS,
    column: 'time to recover',
  },
  {
    nfr: 'NFR-1',
    quoted: /rolling restart (\d+) errors/,
    source: OPS,
    row: 'rolling restart (2 api)',
    column: 'client-visible errors',
  },
  {
    nfr: 'NFR-2',
    quoted: /(\d+) acknowledged writes, \d+ lost/,
    source: OPS,
    row: DB_RESTART,
    column: 'acknowledged (writes)',
    value: /\((\d+)\)/,
  },
  {
    nfr: 'NFR-2',
    quoted: /acknowledged writes, (\d+) lost/,
    source: OPS,
    row: DB_RESTART,
    column: 'lost',
  },
  { nfr: 'NFR-2', quoted: /(\d+) duplicated/, source: OPS, row: DB_RESTART, column: 'duplicated' },
  {
    nfr: 'NFR-3',
    quoted: /first success ([\d.]+) s/,
    source: OPS,
    row: DB_RESTART,
    column: 'time to recover',
    value: /first success ([\d.]+) s/,
  },
  {
    nfr: 'NFR-3',
    quoted: /([\d.]+) s from the stop/,
    source: OPS,
    row: DB_RESTART,
    column: 'time to recover',
    value: /([\d.]+) s from the stop/,
  },
  ...restoreDrill(OPS),
  ...restoreDrill(BACKUP),
];

/**
 * Compares every quoted figure with its source, and requires a quote for every number in a
 * "last measured" cell that links to operations.md or backup.md. Returns the problems.
 */
export function checkQuotedFigures(
  requirements: string,
  read: (source: Quote['source']) => string,
  quotes: readonly Quote[] = QUOTES,
): string[] {
  const problems: string[] = [];
  const lastMeasured = new Map(
    [...requirements.matchAll(/^\| (NFR-\d+) \|(?:.*\|)? ([^|]*) \|\s*$/gm)].map((m) => [
      m[1]!,
      m[2]!,
    ]),
  );
  const covered = new Map<string, Set<number>>();
  for (const q of quotes) {
    const where = `${q.nfr} /${q.quoted.source}/`;
    const cell = lastMeasured.get(q.nfr);
    const matches = cell ? [...cell.matchAll(new RegExp(q.quoted.source, 'dg'))] : [];
    if (matches.length !== 1) {
      problems.push(`${where}: ${matches.length} matches in requirements.md's last column, not 1`);
      continue;
    }
    const quoted = matches[0]!;
    covered.set(q.nfr, (covered.get(q.nfr) ?? new Set()).add(quoted.indices![1]![0]));
    const tables = markdownTables(read(q.source)).filter((t) => t.header.includes(q.column));
    const cells = tables.flatMap((t) => {
      const row = typeof q.row === 'number' ? t.rows[q.row] : t.rows.find((r) => r[0] === q.row);
      return row ? [row[t.header.indexOf(q.column)] ?? ''] : [];
    });
    if (cells.length !== 1) {
      problems.push(
        `${where}: ${cells.length} rows "${q.row}" with a column "${q.column}" in ${q.source}, not 1`,
      );
      continue;
    }
    const measured = (q.value ?? /(\d+(?:\.\d+)?)/).exec(cells[0]!)?.[1];
    if (measured !== quoted[1]) {
      problems.push(
        `${where}: requirements.md says ${quoted[1]}, ${q.source} (${typeof q.row === 'number' ? `row ${q.row + 1}` : q.row} › ${q.column}) says ${measured ?? `nothing in "${cells[0]}"`}`,
      );
    }
  }
  for (const [nfr, cell] of lastMeasured) {
    if (!/\]\((?:\.\.\/)?(operations|backup)\.md/.test(cell)) continue;
    // Numbers in link targets and code (a command) are not figures.
    const text = cell.replace(/\]\([^)]*\)|`[^`]*`/g, (skipped) => ' '.repeat(skipped.length));
    for (const m of text.matchAll(/\d+(?:\.\d+)?/g)) {
      if (!covered.get(nfr)?.has(m.index)) {
        problems.push(
          `${nfr}: the figure in "${cell
            .slice(m.index, m.index + 24)
            .split(/[,;(]/)[0]!
            .trim()}" has no entry in QUOTES`,
        );
      }
    }
  }
  return problems;
}

describe('docs', () => {
  it('are found (English and German)', () => {
    const names = files.map(rel);
    expect(names).toEqual(expect.arrayContaining(['README.md', 'docs/deploy.md']));
    expect(files.length).toBeGreaterThan(10);
  });

  it('name only npm scripts that exist, in the package they run in', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const c of npmRunCommands(readFileSync(file, 'utf8'), file)) {
        checked++;
        const has = (dir: string) =>
          existsSync(join(dir, 'package.json')) && c.script in (manifest(dir).scripts ?? {});
        if (!c.dirs.some(has)) {
          const where = c.dirs.map((d) => (d.startsWith(root) ? rel(d) || 'the root' : d));
          problems.push(
            `${rel(file)}:${c.line}: "${c.command}": no script "${c.script}" in ${where.join(' or ')}`,
          );
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('link only to files and headings that exist', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const { line, target } of relativeLinks(text)) {
        checked++;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const to = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
        if (!existsSync(to)) {
          problems.push(`${rel(file)}:${line}: ${target}: no such file`);
          continue;
        }
        if (anchor && to.endsWith('.md') && statSync(to).isFile()) {
          if (!anchorsOf(readFileSync(to, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) {
            problems.push(`${rel(file)}:${line}: ${target}: no heading #${anchor} in ${rel(to)}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });
  it('quote the figures of operations.md and backup.md as those pages give them', () => {
    const read = (path: string) => readFileSync(join(root, path), 'utf8');
    expect(QUOTES.length).toBeGreaterThan(10);
    expect(checkQuotedFigures(read('docs/requirements.md'), read)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('read the workspace from -w, --workspace= and a cd in the same code block', () => {
    const text = [
      'npm run deploy -w infra -- prod',
      '```sh',
      'cd infra',
      'npm run synth -- -c profile=prod',
      '```',
      'npm run stack -- --api 2',
      'npm run --workspace=apps/web lighthouse',
      'npm run …',
    ].join('\n');
    expect(npmRunCommands(text).map((c) => [c.script, c.dirs.map(rel)])).toEqual([
      ['deploy', ['infra']],
      ['synth', ['infra']],
      ['stack', ['']],
      ['lighthouse', ['apps/web']],
    ]);
    const inDeploy = npmRunCommands('`npm run lb`', join(root, 'deploy/README.md'));
    expect(inDeploy.map((c) => c.dirs.map(rel))).toEqual([['', 'deploy']]);
  });

  it('find relative links outside code only', () => {
    const text = '[a](api.md#errors) [b](https://example.org) `[c](x.md)`\n```\n[d](y.md)\n```';
    expect(relativeLinks(text)).toEqual([{ line: 1, target: 'api.md#errors' }]);
  });

  it('know GitHub anchors, German umlauts included', () => {
    const anchors = anchorsOf(
      '# Kontrolle\n## Kosten & Aufräumen\n## Kontrolle\n## `npm run x` (CLI)',
    );
    expect([...anchors]).toEqual([
      'kontrolle',
      'kosten--aufräumen',
      'kontrolle-1',
      'npm-run-x-cli',
    ]);
  });
  it('find a quoted figure that its source does not give, and a figure with no quote', () => {
    const requirements = [
      '| id | last measured |',
      '| --- | --- |',
      '| NFR-1 | Local: rolling restart 0 errors, 7 retries ([operations.md](operations.md)) |',
    ].join('\n');
    const operations = [
      '| scenario | client-visible errors |',
      '| --- | --- |',
      '| rolling restart (2 api) | **2** |',
    ].join('\n');
    const quotes = QUOTES.filter((q) => q.quoted.source.startsWith('rolling restart'));
    expect(quotes).toHaveLength(1);
    expect(checkQuotedFigures(requirements, () => operations, quotes)).toEqual([
      'NFR-1 /rolling restart (\\d+) errors/: requirements.md says 0, docs/operations.md (rolling restart (2 api) › client-visible errors) says 2',
      'NFR-1: the figure in "7 retries" has no entry in QUOTES',
    ]);
    const fixed = operations.replace('**2**', '**0**');
    expect(
      checkQuotedFigures(requirements.replace(', 7 retries', ''), () => fixed, quotes),
    ).toEqual([]);
  });
});
