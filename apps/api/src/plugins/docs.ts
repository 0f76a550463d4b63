import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The OpenAPI document at /api/openapi.json, generated from the routes' TypeBox schemas. */
export const docs = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'cloud-todo API',
          version: '1.0.0',
          description:
            'Lists of todos. A list is private to whoever has its id; its todos form a Todo-Backend compatible collection. Errors are application/problem+json (RFC 9457).',
        },
        tags: [
          { name: 'lists', description: 'Lists: the unit of privacy' },
          { name: 'todos', description: 'The todos of one list' },
          { name: 'operations', description: 'Health, readiness and metrics' },
        ],
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/api/docs',
      // The policy of security-headers.ts applies (swagger-ui's own would allow any https:
      // style and an upgrade that breaks plain-HTTP local use); the UI runs under it.
      staticCSP: false,
      uiConfig: { docExpansion: 'list', deepLinking: true },
    });
    app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  },
  { name: 'docs' },
);
