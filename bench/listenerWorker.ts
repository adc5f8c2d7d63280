/**
 * A cheap DogStatsD receiver in its own process (forked by bench/run.ts, talks over IPC), so
 * its work neither slows nor hides in the numbers of the benchmark driver.
 *
 * Per metric datagram it only counts bytes, lines and values (a DogStatsD 1.1 packed line
 * `name:v1:v2:v3|d|#tags` carries several; it scans for ':' before the first '|'). Telemetry datagrams (the forwarder's
 * `algorithmia.forwarder.*`, its service check, hot-shots' `datadog.dogstatsd.client.*`; they
 * are packed apart from the algorithm metrics) are parsed, and their counts summed. In latency
 * mode it also extracts every value of `algorithmia.bench_sent_ms:<v>[:<v>...]|` and records
 * arrival - v.
 *
 * argv: udp | uds <socket path>
 */
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';

interface UnixDgramSocket {
  bind(path: string): void;
  close(): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
}

export interface ListenerStats {
  type: 'stats';
  datagrams: number;
  bytes: number;
  metricDatagrams: number;
  metricLines: number;
  /** Values in the metric lines (more than the lines when values are packed). */
  metricValues: number;
  metricBytes: number;
  firstMetricAt?: number;
  lastMetricAt?: number;
  telemetryDatagrams: number;
  telemetryLines: number;
  /** Sum of every count line of the forwarder's telemetry, by `name` or `name{reason}`. */
  telemetryCounts: Record<string, number>;
  /** Latency mode: [sent ms, arrival - sent ms] per bench_sent_ms line. */
  latencies?: Array<[number, number]>;
  recvBufferBytes?: number;
}

export type ListenerCommand = { cmd: 'stats' } | { cmd: 'reset'; latency: boolean } | { cmd: 'close' };

const FORWARDER = Buffer.from('algorithmia.forwarder.');
const METRIC = Buffer.from('algorithmia.');
const SENT_KEY = Buffer.from('algorithmia.bench_sent_ms:');

function fresh(): ListenerStats {
  return {
    type: 'stats',
    datagrams: 0,
    bytes: 0,
    metricDatagrams: 0,
    metricLines: 0,
    metricValues: 0,
    metricBytes: 0,
    telemetryDatagrams: 0,
    telemetryLines: 0,
    telemetryCounts: {},
  };
}

let stats = fresh();
let latencyMode = false;

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function onTelemetry(buf: Buffer): void {
  stats.telemetryDatagrams++;
  for (const line of buf.toString('latin1').split('\n')) {
    if (line.length === 0) continue;
    stats.telemetryLines++;
    // name:value|c|#tags
    const m = /^([^:|]+):([^|]+)\|c(?:\|#(.*))?$/.exec(line);
    if (!m) continue;
    const reason = m[3] ? /(?:^|,)reason:([^,]+)/.exec(m[3]) : null;
    const key = reason ? `${m[1]}{${reason[1]}}` : m[1];
    stats.telemetryCounts[key] = (stats.telemetryCounts[key] ?? 0) + Number(m[2]);
  }
}

function receive(buf: Buffer): void {
  stats.datagrams++;
  stats.bytes += buf.length;
  if (!startsWith(buf, METRIC) || startsWith(buf, FORWARDER)) {
    onTelemetry(buf);
    return;
  }
  const now = Date.now();
  stats.metricDatagrams++;
  stats.metricBytes += buf.length;
  stats.firstMetricAt ??= now;
  stats.lastMetricAt = now;
  const len = buf.length;
  for (let pos = 0; pos < len; ) {
    let nl = buf.indexOf(10, pos);
    if (nl === -1) nl = len;
    if (nl > pos) {
      stats.metricLines++;
      const colon = buf.indexOf(58 /* : */, pos);
      const pipe = buf.indexOf(124 /* | */, pos);
      if (colon !== -1 && pipe !== -1 && colon < pipe && pipe < nl) {
        let values = 1;
        for (let c = buf.indexOf(58, colon + 1); c !== -1 && c < pipe; c = buf.indexOf(58, c + 1)) values++;
        stats.metricValues += values;
      }
    }
    pos = nl + 1;
  }
  if (latencyMode) {
    for (let i = buf.indexOf(SENT_KEY); i !== -1; i = buf.indexOf(SENT_KEY, i + SENT_KEY.length)) {
      const start = i + SENT_KEY.length;
      const end = buf.indexOf(124 /* | */, start);
      for (const v of buf.toString('latin1', start, end).split(':')) {
        const sent = Number(v);
        if (Number.isFinite(sent)) (stats.latencies ??= []).push([sent, now - sent]);
      }
    }
  }
}

async function main(): Promise<void> {
  const [mode, path] = process.argv.slice(2);
  let close: () => void;
  let address: string;
  if (mode === 'udp') {
    const sock = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    sock.on('message', receive);
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
    address = `udp://127.0.0.1:${sock.address().port}`;
    stats.recvBufferBytes = sock.getRecvBufferSize();
    close = () => sock.close();
  } else if (mode === 'uds') {
    const unix = require('unix-dgram') as { createSocket(type: string, fn?: (buf: Buffer) => void): UnixDgramSocket };
    const sock = unix.createSocket('unix_dgram', receive);
    await new Promise<void>((res, rej) => {
      sock.on('listening', () => res());
      sock.on('error', (e) => rej(e));
      sock.bind(path);
    });
    address = `unix://${path}`;
    close = () => {
      sock.close();
      rmSync(path, { force: true });
    };
  } else {
    throw new Error(`usage: listenerWorker udp | uds <path>`);
  }
  const recvBufferBytes = stats.recvBufferBytes;
  let closed = false;
  const closeOnce = () => {
    // unix-dgram aborts the process (a C assert) when a socket is closed twice
    if (closed) return;
    closed = true;
    close();
  };
  process.on('message', (msg: ListenerCommand) => {
    if (msg.cmd === 'stats') process.send?.(stats);
    else if (msg.cmd === 'reset') {
      stats = fresh();
      stats.recvBufferBytes = recvBufferBytes;
      latencyMode = msg.latency;
    } else if (msg.cmd === 'close') {
      closeOnce();
      process.disconnect?.();
    }
  });
  process.on('disconnect', () => {
    closeOnce();
    process.exit(0);
  });
  process.send?.({ type: 'ready', address });
}

main().catch((err) => {
  process.stderr.write(`listener failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
