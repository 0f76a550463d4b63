import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, when it has been answered: request id (and the ALB's trace id,
 * bound by the server's child logger factory), method, URL, route pattern, client address,
 * status and duration. Replaces Fastify's two lines (received, completed) at half the cost.
 * 5xx are errors, except 503 (the database is away, or we are draining): a warning.
 * A list's id is its only credential: the URL is logged with the first 4 of its 22
 * characters (enough to tell lists apart in a log, 24 of 128 bits), like a password would be.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const statusCode = reply.statusCode;
    const line = {
      method: request.method,
      url: redactListIds(request.url),
      route: request.routeOptions.url,
      ip: request.ip,
      statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else if (statusCode >= 500 && statusCode !== 503) request.log.error(line, 'request completed');
    else if (statusCode === 503) request.log.warn(line, 'request completed');
    else request.log.info(line, 'request completed');
  }
}

const LIST_ID = /(\/lists\/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{18}(?![A-Za-z0-9_-])/g;

/** `/api/lists/AbCd…/todos` for `/api/lists/AbCdEfGhIjKlMnOpQrStUv/todos` (and /lists/ pages). */
export function redactListIds(url: string): string {
  return url.includes('/lists/') ? url.replace(LIST_ID, '$1…') : url;
}
