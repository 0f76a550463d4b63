import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { ChangeFeed, ChangeEvent } from '../changes/change-feed.ts';
import type { DatabaseSchema } from '../db/schema.ts';
import { ProblemError } from '../problems.ts';
import { ListRepository } from '../repositories/list-repository.ts';
import { ListParams } from '../schemas/ids.ts';
import { Problem } from '../schemas/problem.ts';

export interface EventRoutesOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly changes: ChangeFeed;
  readonly isDraining: () => boolean;
  /** A comment line this often keeps idle proxies (the ALB: 60 s) from closing the stream. */
  readonly heartbeatMs?: number;
}

/** Under the ALB's 60 s idle timeout with room to spare. */
export const HEARTBEAT_MS = 25_000;
/** How long a client waits before it reconnects (the `retry:` field). */
export const RECONNECT_MS = 300;

/**
 * `GET /api/lists/{listId}/events`: server-sent events, one `change` per change of the list
 * made through any instance. There is no replay log: a client that reconnects (it sends
 * `Last-Event-ID`) is told to `resync`, that is, to read the list again; so is every
 * stream when the cross-instance channel had a gap. A drain ends every stream, and clients
 * reconnect to another instance.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export const eventRoutes: FastifyPluginCallbackTypebox<EventRoutesOptions> = (
  app,
  { db, changes, isDraining, heartbeatMs = HEARTBEAT_MS },
  done,
) => {
  const streams = new Set<ServerResponse>();

  app.addHook('preClose', (next) => {
    for (const stream of streams) stream.end();
    streams.clear();
    next();
  });

  app.get(
    '/api/lists/:listId/events',
    {
      schema: {
        tags: ['lists'],
        summary: 'Changes of the list, as server-sent events (text/event-stream)',
        params: ListParams,
        response: { 400: Problem, 404: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      if (isDraining()) {
        throw new ProblemError('draining', 'This instance is shutting down; reconnect.', {
          headers: { 'retry-after': '1' },
        });
      }
      const { listId } = request.params;
      if ((await ListRepository.find(db, listId)) === undefined) {
        throw new ProblemError('notFound', 'There is no list with this id.');
      }
      reply.hijack();
      const raw = reply.raw;
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) raw.setHeader(name, value);
      }
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // nginx and other proxies must pass each event on at once.
        'x-accel-buffering': 'no',
      });
      const send = (event: ChangeEvent) => {
        const data =
          event.type === 'change'
            ? JSON.stringify({ listId: event.listId, origin: event.origin })
            : '{}';
        raw.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${data}\n\n`);
      };
      raw.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
      if (request.headers['last-event-id'] !== undefined) {
        send({ type: 'resync', id: String(request.headers['last-event-id']) });
      }
      streams.add(raw);
      const unsubscribe = changes.subscribe(listId, send);
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), heartbeatMs);
      raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(raw);
      });
    },
  );
  done();
};
