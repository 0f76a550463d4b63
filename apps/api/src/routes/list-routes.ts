import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.ts';
import { idempotentCreate, sendCreated } from '../idempotent-create.ts';
import { newId } from '../ids.ts';
import { ProblemError } from '../problems.ts';
import { ListRepository } from '../repositories/list-repository.ts';
import { ListParams } from '../schemas/ids.ts';
import { CreateList, List, UpdateList } from '../schemas/list.ts';
import { Problem } from '../schemas/problem.ts';
import { listRepresentation, type OriginOf } from './representations.ts';
import { IdempotencyKeyHeader } from './headers.ts';

export interface ListRoutesOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly originOf: OriginOf;
}

export const listRoutes: FastifyPluginCallbackTypebox<ListRoutesOptions> = (
  app,
  { db, originOf },
  done,
) => {
  app.post(
    '/api/lists',
    {
      schema: {
        tags: ['lists'],
        summary: 'Create a list (its id is the secret that gives access to it)',
        headers: IdempotencyKeyHeader,
        body: CreateList,
        response: { 201: List, 400: Problem, 422: Problem },
      },
      // A list may be created without a body at all.
      preValidation: (request, _reply, next) => {
        request.body ??= {};
        next();
      },
    },
    async (request, reply) => {
      const title = request.body.title?.trim() ?? '';
      const origin = originOf(request);
      const result = await idempotentCreate(
        db,
        { scope: 'lists', key: request.headers['idempotency-key'], request: { title } },
        async (trx) => {
          const list = await ListRepository.create(trx, { id: newId(), title });
          return { statusCode: 201, body: listRepresentation(origin, list) };
        },
      );
      return sendCreated(reply, result);
    },
  );

  app.get(
    '/api/lists/:listId',
    {
      schema: {
        tags: ['lists'],
        summary: 'Read a list',
        params: ListParams,
        response: { 200: List, 404: Problem },
      },
    },
    async (request) => {
      const list = await ListRepository.find(db, request.params.listId);
      if (list === undefined) throw new ProblemError('notFound', 'There is no list with this id.');
      return listRepresentation(originOf(request), list);
    },
  );

  app.patch(
    '/api/lists/:listId',
    {
      schema: {
        tags: ['lists'],
        summary: 'Rename a list (its title is what the web app shows as the heading)',
        params: ListParams,
        body: UpdateList,
        response: { 200: List, 400: Problem, 404: Problem },
      },
    },
    async (request) => {
      const title = request.body.title.trim();
      const list = await ListRepository.updateTitle(db, request.params.listId, title);
      if (list === undefined) throw new ProblemError('notFound', 'There is no list with this id.');
      return listRepresentation(originOf(request), list);
    },
  );
  done();
};
