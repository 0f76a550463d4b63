import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every `npm run …` that a document names must exist in the package it runs in, and every
// relative link (with its #anchor, for Markdown targets) must resolve: English and German
// docs alike, READMEs included.
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
});
