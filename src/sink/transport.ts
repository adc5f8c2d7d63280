/**
 * Hands datagrams to the Agent through hot-shots (socket handling, UDS via unix-dgram and its
 * retries, client telemetry), unbuffered: we pack datagrams ourselves, so every datagram has
 * its own callback and a batch knows exactly whether all of it reached the socket.
 */
import type { Writable } from 'node:stream';
import { StatsD } from 'hot-shots';
import type { DogStatsDTarget } from '../config/resolved';
import { InsightsError } from '../errors';

export interface SendResult {
  sent: number;
  failed: number;
  error?: Error;
}

export interface DatagramTransport {
  readonly description: string;
  /** Appended to every metric line (origin detection's `|c:`), or ''. */
  readonly lineSuffix: string;
  send(datagrams: readonly Buffer[]): Promise<SendResult>;
  close(): Promise<void>;
}

export function describeTarget(t: DogStatsDTarget): string {
  return t.protocol === 'uds' ? `unix://${t.path}` : `udp://${t.host}:${t.port}`;
}

export function assertUdsAvailable(): void {
  try {
    require.resolve('unix-dgram');
  } catch {
    throw new InsightsError(
      'SINK_UNAVAILABLE',
      'DogStatsD over a Unix socket needs the optional package unix-dgram, which is not installed ' +
        '(it is compiled at install time: needs g++, make and python3). Install it with `npm install unix-dgram`, or use UDP.',
    );
  }
}

/**
 * hot-shots' raw send (not in its typings): one datagram, one callback. It takes the bytes as
 * they are (Buffer.byteLength and Buffer.from accept a Buffer), so a datagram is never a string.
 */
interface RawSender {
  sendMessage(message: Buffer, callback: (err?: Error | null) => void): void;
  containerID?: string;
}

export class HotShotsTransport implements DatagramTransport {
  readonly description: string;
  readonly lineSuffix: string;
  private readonly client: StatsD;
  /** Errors reported outside a send callback (socket 'error' events); any during a batch fails it. */
  private asyncErrors = 0;
  private lastAsyncError?: Error;
  /** Datagrams handed to the socket before waiting for their callbacks. */
  private readonly window: number;

  constructor(target: DogStatsDTarget, onError?: (err: Error) => void) {
    if (target.protocol === 'uds') assertUdsAvailable();
    this.description = describeTarget(target);
    this.window = target.protocol === 'uds' ? 4 : 64;
    const errorHandler = (err: Error) => {
      this.asyncErrors++;
      this.lastAsyncError = err;
      onError?.(err);
    };
    this.client = new StatsD({
      protocol: target.protocol,
      ...(target.protocol === 'uds' ? { path: target.path } : { host: target.host, port: target.port }),
      maxBufferSize: 0,
      // Our config layer owns the environment (DECISIONS): no DD_* tags or mode detection here.
      includeDataDogTags: false,
      datadog: true,
      originDetection: target.originDetection,
      includeDatadogTelemetry: target.clientTelemetry,
      errorHandler,
      udsGracefulErrorHandling: true,
      // On a full socket queue: retry soon and often (about 0.5 s in all) before reporting a
      // failure, which pauses the partition and re-sends the chunk.
      udsRetryOptions: { retries: 10, retryDelayMs: 2, maxRetryDelayMs: 100, backoffFactor: 2 },
    });
    const containerId = target.originDetection ? (this.client as unknown as RawSender).containerID : undefined;
    this.lineSuffix = containerId ? `|c:${containerId}` : '';
  }

  send(datagrams: readonly Buffer[]): Promise<SendResult> {
    if (datagrams.length === 0) return Promise.resolve({ sent: 0, failed: 0 });
    const asyncBefore = this.asyncErrors;
    const raw = this.client as unknown as RawSender;
    return new Promise((resolve) => {
      let next = 0;
      let inFlight = 0;
      let sent = 0;
      let failed = 0;
      let error: Error | undefined;
      const finish = () => {
        const asyncFailures = this.asyncErrors - asyncBefore;
        if (asyncFailures > 0) {
          failed += asyncFailures;
          error ??= this.lastAsyncError;
        }
        resolve({ sent, failed, error });
      };
      // A window of datagrams in flight: a Unix socket's queue is short (10 datagrams by
      // default), and a burst past it only turns into congestion retries.
      const pump = () => {
        while (failed === 0 && inFlight < this.window && next < datagrams.length) {
          const d = datagrams[next++];
          inFlight++;
          let called = false;
          const done = (err?: Error | null) => {
            if (called) return;
            called = true;
            inFlight--;
            if (err) {
              failed++;
              error ??= err;
            } else sent++;
            // Stop at the first failure: the whole chunk is sent again anyway.
            if (inFlight === 0 && (failed > 0 || next >= datagrams.length)) finish();
            // unix-dgram calls back synchronously: continue on a fresh stack.
            else if (failed === 0) setImmediate(pump);
          };
          try {
            raw.sendMessage(d, done);
          } catch (err) {
            done(err as Error);
          }
        }
      };
      pump();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.client.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/** `--dry-run`: every datagram's lines go to a stream instead of the network. */
export class DryRunTransport implements DatagramTransport {
  readonly description = 'dry-run (stdout)';
  readonly lineSuffix = '';
  constructor(private readonly out: Writable) {}

  send(datagrams: readonly Buffer[]): Promise<SendResult> {
    if (datagrams.length === 0) return Promise.resolve({ sent: 0, failed: 0 });
    const ok = this.out.write(datagrams.map((d) => d.toString()).join('\n') + '\n');
    if (ok) return Promise.resolve({ sent: datagrams.length, failed: 0 });
    // Respect the stream's backpressure: a dry run into a pipe must not buffer without bound.
    return new Promise((resolve) => this.out.once('drain', () => resolve({ sent: datagrams.length, failed: 0 })));
  }

  async close(): Promise<void> {
    /* stdout belongs to the process */
  }
}
