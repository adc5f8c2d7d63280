/**
 * The sockets we make for kafkajs, on real loopback sockets: each failed attempt is reported
 * with its cause as it happens, and the connect timeout is an ETIMEDOUT socket error (so that
 * kafkajs's KafkaJSConnectionError carries a code for it).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { KafkaCause } from '../../src/kafkaCauses';
import { watchedSocketFactory } from '../../src/source/kafkaConnections';
import { freePort } from '../../scripts/kafka/broker';

const servers: Server[] = [];
const sockets: Socket[] = [];
/** The servers' ends of the connections. */
const held: Socket[] = [];
afterEach(async () => {
  for (const s of [...sockets.splice(0), ...held.splice(0)]) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A TCP server that accepts and then says nothing: a TLS handshake with it never completes. */
async function silentServer(): Promise<number> {
  const srv = createServer((s) => held.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push(srv);
  const addr = srv.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

function connect(port: number, ssl: boolean, timeoutMs: number) {
  const causes: KafkaCause[] = [];
  let connected = false;
  const factory = watchedSocketFactory(timeoutMs, { attemptFailed: (c) => causes.push(c) });
  const socket = factory({ host: '127.0.0.1', port, ssl: (ssl ? { rejectUnauthorized: true } : undefined) as never, onConnect: () => (connected = true) });
  sockets.push(socket);
  const error = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    socket.once('error', resolve);
    socket.once('close', () => resolve(undefined));
  });
  return { socket, causes, error, connected: () => connected };
}

describe('watchedSocketFactory', () => {
  it('reports a refused attempt at once, with the broker', async () => {
    const port = await freePort();
    const c = connect(port, false, 2000);
    const err = await c.error;
    expect(err?.code).toBe('ECONNREFUSED');
    expect(c.causes).toEqual([{ key: 'connection_refused', message: `connection refused to 127.0.0.1:${port}`, broker: `127.0.0.1:${port}`, code: 'KAFKA_CONNECT' }]);
  });

  it('ends a connection that does not complete in time with ETIMEDOUT (a TLS handshake that hangs)', async () => {
    const port = await silentServer();
    const started = Date.now();
    const c = connect(port, true, 300);
    const err = await c.error;
    expect(err?.code).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(c.connected()).toBe(false);
    expect(c.causes.map((x) => x.key)).toEqual(['connect_timeout']);
    expect(c.causes[0].message).toBe(`timed out connecting to 127.0.0.1:${port}`);
  });

  it('leaves a connection that completed alone: no timeout, nothing reported', async () => {
    const port = await silentServer();
    const c = connect(port, false, 100);
    await new Promise((r) => setTimeout(r, 400));
    expect(c.connected()).toBe(true);
    expect(c.socket.destroyed).toBe(false);
    expect(c.causes).toEqual([]);
  });
});
