/**
 * A real DogStatsD receiver for tests: a UDP socket or a Unix datagram socket on loopback that
 * collects every line of every datagram it receives.
 */
import { spawn } from 'node:child_process';
import { createSocket, Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface UnixDgramSocket {
  bind(path: string): void;
  close(): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
}

export class DogStatsDListener {
  readonly lines: string[] = [];
  datagrams = 0;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly protocol: 'udp' | 'uds',
    readonly address: { host?: string; port?: number; path?: string },
    private closeFn: () => Promise<void> = async () => undefined,
  ) {}

  /** UDP on 127.0.0.1 with a large receive buffer, so exact-accounting tests do not lose datagrams to the listener. */
  static async udp(): Promise<DogStatsDListener> {
    const sock: Socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    const address: { host: string; port?: number } = { host: '127.0.0.1' };
    const listener = new DogStatsDListener('udp', address);
    sock.on('message', (buf) => listener.receive(buf));
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
    address.port = sock.address().port;
    listener.closeFn = () => new Promise((res) => sock.close(() => res()));
    return listener;
  }

  /** A Unix datagram socket in a fresh temp dir (needs the optional unix-dgram package). */
  static async uds(path?: string): Promise<DogStatsDListener> {
    const unix = require('unix-dgram') as { createSocket(type: string, fn?: (buf: Buffer) => void): UnixDgramSocket };
    const dir = path ? undefined : mkdtempSync(join(tmpdir(), 'aik-dsd-'));
    const sockPath = path ?? join(dir as string, 'dsd.socket');
    const listener = new DogStatsDListener('uds', { path: sockPath });
    const sock = unix.createSocket('unix_dgram', (buf: Buffer) => listener.receive(buf));
    await new Promise<void>((res, rej) => {
      sock.on('listening', () => res());
      sock.on('error', (e) => rej(e));
      sock.bind(sockPath);
    });
    listener.closeFn = async () => {
      sock.close();
      rmSync(sockPath, { force: true });
      if (dir) rmSync(dir, { recursive: true, force: true });
    };
    return listener;
  }

  /**
   * A Unix-socket receiver in a child process (built file dist/test/harness/udsListenerMain.js),
   * which `freeze()`/`thaw()` stop and continue: a hung Agent whose socket queue fills up.
   */
  static async udsProcess(path?: string): Promise<DogStatsDListener> {
    const dir = path ? undefined : mkdtempSync(join(tmpdir(), 'aik-dsd-'));
    const sockPath = path ?? join(dir as string, 'dsd.socket');
    const main = resolve(__dirname, '../../dist/test/harness/udsListenerMain.js');
    const child = spawn(process.execPath, [main, sockPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const listener = new DogStatsDListener('uds', { path: sockPath });
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      listener.receive(Buffer.from(parts.join('\n')));
    });
    await new Promise<void>((res, rej) => {
      child.stderr.on('data', (d: Buffer) => (d.toString().includes('listening') ? res() : rej(new Error(d.toString()))));
      child.once('exit', (code) => rej(new Error(`UDS listener process exited ${code}`)));
    });
    listener.freezeFn = (frozen) => child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
    listener.closeFn = async () => {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(sockPath, { force: true });
      if (dir) rmSync(dir, { recursive: true, force: true });
    };
    return listener;
  }

  private freezeFn?: (frozen: boolean) => void;

  /** Stops reading (only for udsProcess listeners). */
  freeze(): void {
    if (!this.freezeFn) throw new Error('freeze() needs a udsProcess listener');
    this.freezeFn(true);
  }

  thaw(): void {
    this.freezeFn?.(false);
  }

  /** `udp://127.0.0.1:PORT` or `unix:///path`, as DD_DOGSTATSD_URL takes it. */
  get url(): string {
    return this.protocol === 'udp' ? `udp://${this.address.host}:${this.address.port}` : `unix://${this.address.path}`;
  }

  private receive(buf: Buffer): void {
    this.datagrams++;
    for (const line of buf.toString('utf8').split('\n')) if (line.length > 0) this.lines.push(line);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `predicate(lines)` holds; rejects after `timeoutMs` with what arrived so far. */
  async waitFor(predicate: (lines: string[]) => boolean, timeoutMs = 30_000, what = 'condition'): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.lines)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`DogStatsD listener: timed out waiting for ${what}; ${this.lines.length} lines so far, last: ${this.lines.slice(-5).join(' | ')}`);
      }
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
    return this.lines;
  }

  clear(): void {
    this.lines.length = 0;
    this.datagrams = 0;
  }

  private closed = false;

  /** Idempotent: unix-dgram aborts the process on a second close of the same socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeFn();
  }
}
