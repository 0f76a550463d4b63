// The ceiling for the API benchmark: bare Fastify routes that run the same SQL as the API's
// repository with `pg` and nothing else (no validation, plugins, logging or metrics).
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const COLUMNS = `"id", "list_id", "title", "completed", "order", "created_at", "updated_at"`;
const LIST_TODOS = `select "lists"."id" as "list", "todos"."id", "todos"."list_id", "todos"."title", "todos"."completed", "todos"."order", "todos"."created_at", "todos"."updated_at" from "lists" left join "todos" on "todos"."list_id" = "lists"."id" where "lists"."id" = $1 order by "todos"."order", "todos"."position"`;
const INSERT_TODO = `insert into "todos" ("id", "list_id", "title", "completed", "order") select $1 as "id", "lists"."id" as "list_id", $2 as "title", $3 as "completed", $4 as "order" from "lists" where "lists"."id" = $5 returning ${COLUMNS}`;
const UPDATE_TODO = `update "todos" set "title" = $1, "completed" = $2, "updated_at" = now() where "id" = $3 and "list_id" = $4 returning ${COLUMNS}`;

interface Row {
  id: string;
  list_id: string;
  title: string;
  completed: boolean;
  order: number;
  created_at: Date;
  updated_at: Date;
}
const toTodo = (origin: string, row: Row) => ({
  id: row.id,
  title: row.title,
  completed: row.completed,
  order: row.order,
  url: `${origin}/api/lists/${row.list_id}/todos/${row.id}`,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify();
type Params = { listId: string; todoId: string };
type Body = { title: string; completed?: boolean; order?: number };

app.get<{ Params: Params }>('/api/lists/:listId/todos', async (request, reply) => {
  const { rows } = await pool.query<Row & { list: string }>(LIST_TODOS, [request.params.listId]);
  if (rows.length === 0) return reply.code(404).send();
  const origin = `${request.protocol}://${request.host}`;
  return rows.filter((row) => row.id !== null).map((row) => toTodo(origin, row));
});
app.post<{ Params: Params; Body: Body }>('/api/lists/:listId/todos', async (request, reply) => {
  const { title, completed = false, order = 0 } = request.body;
  const id = randomBytes(16).toString('base64url');
  const { rows } = await pool.query<Row>(INSERT_TODO, [
    id,
    title.trim(),
    completed,
    order,
    request.params.listId,
  ]);
  if (rows[0] === undefined) return reply.code(404).send();
  return reply.code(201).send(toTodo(`${request.protocol}://${request.host}`, rows[0]));
});
app.patch<{ Params: Params; Body: Body }>(
  '/api/lists/:listId/todos/:todoId',
  async (request, reply) => {
    const { title, completed = false } = request.body;
    const { listId, todoId } = request.params;
    const { rows } = await pool.query<Row>(UPDATE_TODO, [title, completed, todoId, listId]);
    if (rows[0] === undefined) return reply.code(404).send();
    return toTodo(`${request.protocol}://${request.host}`, rows[0]);
  },
);

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
