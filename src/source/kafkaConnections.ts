/**
 * kafkajs's sockets, made by us so that each connection attempt is seen as it happens: its
 * error (with the socket's own `code`) becomes a classified cause at the first failed attempt,
 * not after kafkajs has spent all its retries. The connect timeout is enforced here as an
 * ETIMEDOUT socket error, so that kafkajs's KafkaJSConnectionError carries a code for it too
 * (kafkajs's own timer, a little later, stays as a backstop).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';
import { socketCause, type KafkaCause } from '../kafkaCauses';

export interface ConnectionWatcher {
  /** A connection to a broker failed (before or after it was established), with its cause. */
  attemptFailed(cause: KafkaCause): void;
}

/** kafkajs's socket factory keeps idle connections alive with this delay. */
const KEEP_ALIVE_DELAY_MS = 60_000;
/** kafkajs's own connect timeout is ours plus this: ours fires first, with a code. */
export const CONNECT_TIMEOUT_BACKSTOP_MS = 500;

export function watchedSocketFactory(connectTimeoutMs: number, watcher: ConnectionWatcher): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const broker = `${host}:${port}`;
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...(typeof ssl === 'object' ? ssl : {}) }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    let connected = false;
    const timer = setTimeout(() => {
      if (!connected) socket.destroy(Object.assign(new Error(`connect timed out after ${connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, connectTimeoutMs);
    socket.once(ssl ? 'secureConnect' : 'connect', () => {
      connected = true;
      clearTimeout(timer);
    });
    socket.on('error', (err: NodeJS.ErrnoException & { hostname?: string }) => {
      clearTimeout(timer);
      const cause = socketCause(err.code, broker, err.hostname);
      if (cause) watcher.attemptFailed(cause);
    });
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
}
