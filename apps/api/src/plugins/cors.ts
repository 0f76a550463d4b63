import corsPlugin from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Any origin may call the API: access is by the list's unguessable id, and no cookies or
 * credentials are used, so there is nothing a foreign page could ride on.
 */
export const cors = fp(
  async (app: FastifyInstance) => {
    await app.register(corsPlugin, {
      origin: '*',
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type', 'idempotency-key'],
      exposedHeaders: ['location', 'retry-after', 'idempotent-replayed', 'x-request-id'],
      maxAge: 600,
    });
  },
  { name: 'cors' },
);
