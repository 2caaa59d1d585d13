// The websocket feed at /api/feed: relays every bus event to the console as JSON {type, at, data}.
// Each client costs bounded memory: a client that stops reading is dropped, not buffered for.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocket } from 'ws';
import type { EventBus } from '../bus.js';
import { ApiErrorCodes } from './api-errors.js';
import { redactSecrets } from './redact.js';

export interface FeedOptions {
  bus: EventBus;
  version: string;
}

export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** RFC 6455 "Try Again Later": the client may reconnect, and will then get a fresh start. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
// A close frame waits behind the data the client is not reading; don't keep that data for ws's 30 s close timeout.
const TERMINATE_AFTER_MS = 2_000;
// Without pings a client behind a dead network link would keep its socket and bus listener forever.
const HEARTBEAT_MS = 30_000;

export type FeedSocket = Pick<WebSocket, 'readyState' | 'bufferedAmount' | 'send' | 'close' | 'terminate'>;

/** Send one message unless the client is already over its buffer budget; then drop it. False when not sent. */
export function sendBounded(socket: FeedSocket, message: string, limit = MAX_BUFFERED_BYTES): boolean {
  if (socket.readyState !== WebSocket.OPEN) return false;
  if (socket.bufferedAmount > limit) {
    socket.close(CLOSE_TRY_AGAIN_LATER, 'feed client too slow');
    setTimeout(() => socket.terminate(), TERMINATE_AFTER_MS).unref();
    return false;
  }
  socket.send(message);
  return true;
}

export function feedMessage(type: string, at: string, data: unknown): string {
  return JSON.stringify(redactSecrets({ type, at, data }));
}

/**
 * Browsers do not apply the same-origin policy to websockets: any page an operator visits could open the feed.
 * A browser always sends Origin, so when there is one it must name this host. Tools (no Origin) may connect.
 */
export function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export const feedRoutes: FastifyPluginAsync<FeedOptions> = async (app: FastifyInstance, { bus, version }) => {
  app.route({
    method: 'GET',
    url: '/api/feed',
    // Hidden from OpenAPI, which cannot describe a websocket; the info description points to it instead.
    schema: { hide: true },
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      if (!isSameOrigin(req.headers.origin, req.headers.host)) {
        await reply.status(403).send({ error: { code: ApiErrorCodes.FORBIDDEN, message: 'cross-origin feed connection refused' } });
      }
    },
    // A plain GET (no upgrade) gets an answer in the API's error shape instead of an empty 404.
    handler: async (_req, reply) =>
      reply
        .status(426)
        .header('upgrade', 'websocket')
        .send({ error: { code: ApiErrorCodes.BAD_REQUEST, message: 'this is a websocket endpoint: upgrade required' } }),
    wsHandler: (socket, req) => {
      sendBounded(socket, feedMessage('hello', new Date().toISOString(), { version }));
      const unsubscribe = bus.onAny((e) => {
        sendBounded(socket, feedMessage(e.type, e.at, e.data));
      });

      let alive = true;
      socket.on('pong', () => {
        alive = true;
      });
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, HEARTBEAT_MS).unref();

      socket.on('error', (err) => req.log.debug({ err }, 'feed client error'));
      socket.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  });
};
