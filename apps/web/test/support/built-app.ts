import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built app (`npm run build -w apps/web`); the root `npm test` builds it first. */
export const DIST = fileURLToPath(new URL('../../dist', import.meta.url));

/** Throws a clear message when the app has not been built. */
export function requireBuiltApp(): string {
  const hasAssets = existsSync(`${DIST}/index.html`) && existsSync(`${DIST}/assets`);
  if (!hasAssets || readdirSync(`${DIST}/assets`).length === 0) {
    throw new Error(
      `The web app is not built (${DIST} has no index.html or assets): run \`npm run build -w apps/web\` first (the root \`npm test\` does).`,
    );
  }
  return DIST;
}

/** Names of the built assets, relative to dist (e.g. `assets/index-abc123.js`). */
export function builtAssets(extension: string): string[] {
  return readdirSync(`${DIST}/assets`)
    .filter((name) => name.endsWith(extension))
    .map((name) => `assets/${name}`);
}
