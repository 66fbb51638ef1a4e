/**
 * How requests are logged: one line per request once it completed, at debug (at info, a busy
 * node's log would be mostly request lines), failures at error; each with the request id
 * (`req_id`: the caller's X-Request-Id, else Fastify's counter).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class RequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'req_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      return;
    }
    if (reply.log.level !== 'debug' && reply.log.level !== 'trace') return;
    reply.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  }
}
