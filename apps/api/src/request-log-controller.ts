import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, when it has been answered: request id (and the ALB's trace id,
 * bound by the server's child logger factory), method, URL, route pattern, client address,
 * status and duration. Replaces Fastify's two lines (received, completed) at half the cost.
 * 5xx are errors, except 503 (the database is away, or we are draining): a warning.
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
      url: request.url,
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
