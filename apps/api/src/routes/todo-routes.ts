import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { DatabaseSchema } from '../db/schema.ts';
import { idempotentCreate, sendCreated } from '../idempotent-create.ts';
import { newId } from '../ids.ts';
import { ProblemError } from '../problems.ts';
import { ListRepository } from '../repositories/list-repository.ts';
import { TodoRepository } from '../repositories/todo-repository.ts';
import { ListParams, TodoParams } from '../schemas/ids.ts';
import { Problem } from '../schemas/problem.ts';
import {
  CreateTodo,
  DeleteTodosQuery,
  Todo,
  TodoList,
  UpdateAllTodos,
  UpdateTodo,
} from '../schemas/todo.ts';
import { IdempotencyKeyHeader } from './headers.ts';
import { todoRepresentation, type OriginOf } from './representations.ts';

export interface TodoRoutesOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly originOf: OriginOf;
}

const noList = () => new ProblemError('notFound', 'There is no list with this id.');
const noTodo = () => new ProblemError('notFound', 'This list has no todo with this id.');
const errors = { 400: Problem, 404: Problem };

/** The Todo-Backend collection of one list, and its bulk operations. */
export const todoRoutes: FastifyPluginCallbackTypebox<TodoRoutesOptions> = (
  app,
  { db, originOf },
  done,
) => {
  app.get(
    '/api/lists/:listId/todos',
    {
      schema: {
        tags: ['todos'],
        summary: 'The todos of a list, by `order`, then creation',
        params: ListParams,
        response: { 200: TodoList, ...errors },
      },
    },
    async (request) => {
      const todos = await TodoRepository.listByList(db, request.params.listId);
      if (todos === undefined) throw noList();
      const origin = originOf(request);
      return todos.map((todo) => todoRepresentation(origin, todo));
    },
  );

  app.post(
    '/api/lists/:listId/todos',
    {
      schema: {
        tags: ['todos'],
        summary: 'Add a todo',
        params: ListParams,
        headers: IdempotencyKeyHeader,
        body: CreateTodo,
        response: { 201: Todo, ...errors, 422: Problem },
      },
    },
    async (request, reply) => {
      const { listId } = request.params;
      const todo = {
        title: request.body.title.trim(),
        completed: request.body.completed ?? false,
        order: request.body.order ?? 0,
      };
      const origin = originOf(request);
      const result = await idempotentCreate(
        db,
        { scope: `lists/${listId}/todos`, key: request.headers['idempotency-key'], request: todo },
        async (trx) => {
          const created = await TodoRepository.create(trx, listId, { id: newId(), ...todo });
          if (created === undefined) throw noList();
          return { statusCode: 201, body: todoRepresentation(origin, created) };
        },
      );
      return sendCreated(reply, result);
    },
  );

  app.patch(
    '/api/lists/:listId/todos',
    {
      schema: {
        tags: ['todos'],
        summary: 'Mark every todo of the list completed or active (toggle all)',
        params: ListParams,
        body: UpdateAllTodos,
        response: { 200: TodoList, ...errors },
      },
    },
    async (request) => {
      const { listId } = request.params;
      const todos = await TodoRepository.setAllCompleted(db, listId, request.body.completed);
      if (todos === undefined) throw noList();
      const origin = originOf(request);
      return todos.map((todo) => todoRepresentation(origin, todo));
    },
  );

  app.delete(
    '/api/lists/:listId/todos',
    {
      schema: {
        tags: ['todos'],
        summary: 'Empty the list, or with `?completed=true` clear its completed todos',
        params: ListParams,
        querystring: DeleteTodosQuery,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { listId } = request.params;
      if ((await ListRepository.find(db, listId)) === undefined) throw noList();
      await TodoRepository.deleteAll(db, listId, request.query.completed === 'true');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/lists/:listId/todos/:todoId',
    {
      schema: {
        tags: ['todos'],
        summary: 'Read a todo',
        params: TodoParams,
        response: { 200: Todo, ...errors },
      },
    },
    async (request) => {
      const { listId, todoId } = request.params;
      const todo = await TodoRepository.find(db, listId, todoId);
      if (todo === undefined) throw noTodo();
      return todoRepresentation(originOf(request), todo);
    },
  );

  app.patch(
    '/api/lists/:listId/todos/:todoId',
    {
      schema: {
        tags: ['todos'],
        summary: 'Change a todo (the fields given are merged)',
        params: TodoParams,
        body: UpdateTodo,
        response: { 200: Todo, ...errors },
      },
    },
    async (request) => {
      const { listId, todoId } = request.params;
      const { title, completed, order } = request.body;
      const todo = await TodoRepository.update(db, listId, todoId, {
        ...(title === undefined ? {} : { title: title.trim() }),
        ...(completed === undefined ? {} : { completed }),
        ...(order === undefined ? {} : { order }),
      });
      if (todo === undefined) throw noTodo();
      return todoRepresentation(originOf(request), todo);
    },
  );

  app.delete(
    '/api/lists/:listId/todos/:todoId',
    {
      schema: {
        tags: ['todos'],
        summary: 'Delete a todo',
        params: TodoParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { listId, todoId } = request.params;
      if (!(await TodoRepository.delete(db, listId, todoId))) throw noTodo();
      return reply.code(204).send(null);
    },
  );
  done();
};
