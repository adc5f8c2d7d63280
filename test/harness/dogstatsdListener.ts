/**
 * A real DogStatsD receiver for tests: a UDP socket or a Unix datagram socket on loopback that
 * collects every line of every datagram it receives.
 */
import { spawn } from 'node:child_process';
import { createSocket, Socket } from 'node:dgram';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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

  /**
   * A Unix datagram socket in a fresh temp dir (needs the optional unix-dgram package), read by
   * a child process (dist/test/harness/udsListenerMain.js, built by the test setup) that only
   * appends datagrams to a file: it keeps up even when the test process is busy, so exact
   * accounting does not depend on how loaded the machine is. `freeze()`/`thaw()` stop and
   * continue it: a hung Agent whose socket queue fills up.
   */
  static async uds(path?: string): Promise<DogStatsDListener> {
    const dir = mkdtempSync(join(tmpdir(), 'aik-dsd-'));
    const sockPath = path ?? join(dir, 'dsd.socket');
    const outFile = join(dir, 'datagrams.bin');
    writeFileSync(outFile, '');
    const main = resolve(__dirname, '../../dist/test/harness/udsListenerMain.js');
    const child = spawn(process.execPath, [main, sockPath, outFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const listener = new DogStatsDListener('uds', { path: sockPath });
    await new Promise<void>((res, rej) => {
      child.stderr.on('data', (d: Buffer) => (d.toString().includes('listening') ? res() : rej(new Error(d.toString()))));
      child.once('exit', (code) => rej(new Error(`UDS listener process exited ${code}`)));
    });
    // Tail the file: whole records only (4-byte length, then the datagram).
    const fd = openSync(outFile, 'r');
    let offset = 0;
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(1 << 20);
    const poll = () => {
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, offset);
        if (n <= 0) break;
        offset += n;
        pending = Buffer.concat([pending, chunk.subarray(0, n)]);
      }
      let at = 0;
      while (pending.length - at >= 4) {
        const len = pending.readUInt32BE(at);
        if (pending.length - at - 4 < len) break;
        listener.receive(pending.subarray(at + 4, at + 4 + len));
        at += 4 + len;
      }
      pending = Buffer.from(pending.subarray(at));
    };
    const timer = setInterval(poll, 25);
    listener.freezeFn = (frozen) => child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
    listener.closeFn = async () => {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
      clearInterval(timer);
      poll();
      closeSync(fd);
      rmSync(sockPath, { force: true });
      rmSync(dir, { recursive: true, force: true });
    };
    return listener;
  }

  private freezeFn?: (frozen: boolean) => void;

  /** Stops reading (uds listeners only). */
  freeze(): void {
    if (!this.freezeFn) throw new Error('freeze() needs a uds listener');
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
