import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The build context's `.dockerignore`, matched as Docker's builder matches it
 * (github.com/moby/patternmatcher): patterns are relative to the context root, `*` and `?`
 * stay within one path segment, `**` spans any number of them, a leading `!` makes an
 * exception, the last pattern that matches a path or any of its parent folders decides.
 */
export interface DockerIgnore {
  /** True when `relativePath` (slash-separated, from the context root) is left out. */
  excludes(relativePath: string): boolean;
  /** The patterns as read, for messages. */
  readonly patterns: readonly string[];
}

interface Pattern {
  readonly exception: boolean;
  readonly regex: RegExp;
}

export async function loadDockerIgnore(contextDir: string): Promise<DockerIgnore> {
  const text = await readFile(join(contextDir, '.dockerignore'), 'utf8').catch(() => '');
  return parseDockerIgnore(text);
}

export function parseDockerIgnore(text: string): DockerIgnore {
  const raw = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const patterns: Pattern[] = raw.map((line) => {
    const exception = line.startsWith('!');
    const body = clean(exception ? line.slice(1).trim() : line);
    return { exception, regex: toRegex(body) };
  });
  return {
    patterns: raw,
    excludes(relativePath: string): boolean {
      const path = clean(relativePath);
      const parents = ancestors(path);
      let excluded = false;
      for (const pattern of patterns) {
        if (parents.some((candidate) => pattern.regex.test(candidate)))
          excluded = !pattern.exception;
      }
      return excluded;
    },
  };
}

/** `a/b/c` → [`a/b/c`, `a/b`, `a`]. */
function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

function clean(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function toRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // `**/` also matches no folder at all; a trailing `**` matches everything below.
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else {
          source += '.*';
        }
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '\\' && i + 1 < pattern.length) {
      i++;
      source += escape(pattern[i] ?? '');
    } else {
      source += escape(char);
    }
  }
  return new RegExp(`^${source}$`);
}

function escape(char: string): string {
  return char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
}
