import { extname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../problems.ts';
import { sendProblem } from './error-handler.ts';

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
 * The built web app, from the same origin as the API: its files, and `index.html` for
 * page navigations (extension-less paths outside /api). A missing asset is a real 404,
 * so a stale page never receives HTML in place of a script.
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

    app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      const isNavigation =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !path.startsWith('/api/') &&
        path !== '/api' &&
        extname(path) === '';
      if (isNavigation && webRoot !== undefined) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      return sendProblem(
        request,
        reply,
        new ProblemError('notFound', `Nothing at ${request.method} ${path}.`),
      );
    });
  },
  { name: 'web-app' },
);
