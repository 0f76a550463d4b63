import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface WebAppOptions {
  /** Folder of the built web app; undefined serves a small page linking to the API docs. */
  readonly webRoot: string | undefined;
}

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cloud-todo API</title></head>
<body><h1>cloud-todo API</h1>
<p>The web app is not built here. See the <a href="/api/docs">API documentation</a>
(<a href="/api/openapi.json">OpenAPI document</a>).</p></body></html>
`;

/**
 * The built web app, from the same origin as the API: its files; the error handler's
 * not-found handler answers page navigations (extension-less paths outside /api) with
 * `index.html`. A missing asset is a real 404, so a stale page never receives HTML in
 * place of a script.
 */
export const webApp = fp(
  async (app: FastifyInstance, { webRoot }: WebAppOptions) => {
    if (webRoot !== undefined) {
      await app.register(fastifyStatic, {
        root: webRoot,
        wildcard: true,
        cacheControl: false,
        setHeaders(reply, path) {
          // Vite's hashed assets never change; index.html must always be revalidated.
          reply.header(
            'cache-control',
            path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
    } else {
      app.get('/', { schema: { hide: true } }, (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(PLACEHOLDER),
      );
    }
  },
  { name: 'web-app' },
);
