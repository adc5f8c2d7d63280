/**
 * The daemon's side of `algorithmia-insights status`: a Unix socket, usable only by the
 * process's user and root (directory 0700 where we create it, socket 0600), answering one JSON
 * line per connection. Where it lives: status/socketPath.ts. Opening it never stops the daemon:
 * a failure is logged and `status` then says it found no process.
 */
import { accessSync, chmodSync, constants, lstatSync, mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asInsightsError, InsightsError } from '../errors';
import type { Logger } from '../log/logger';
import { MAX_REQUEST_BYTES, STATUS_TIMEOUT_MS, type StatusReply } from '../status/protocol';
import { socketDirCandidates, socketFileName, tmpDirProblem, type DirCandidate } from '../status/socketPath';
import { BUCKET_MS } from '../telemetry/statusCounters';

/** Unix socket paths longer than this do not fit sockaddr_un (108 bytes with the NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

export interface StatusServerOptions {
  configFile: string;
  configuredDir?: string;
  log: Logger;
  reply: () => StatusReply;
  /** Called every 10 s: keeps the counters' one-minute windows. */
  tick: () => void;
}

const errnoOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Usable for our socket, or why not (thrown as STATUS_SOCKET). `refuse`: stop looking further. */
function prepareDir(c: DirCandidate, uid: number): { ok: true } | { ok: false; reason: string; refuse: boolean } {
  try {
    if (c.kind === 'configured') mkdirSync(c.dir, { recursive: true, mode: 0o700 });
    else {
      try {
        mkdirSync(c.dir, { mode: 0o700 });
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw err;
      }
    }
    if (c.kind === 'tmp') {
      const st = lstatSync(c.dir);
      const problem = tmpDirProblem({ isDirectory: st.isDirectory(), uid: st.uid, mode: st.mode }, uid);
      if (problem) return { ok: false, reason: problem, refuse: true };
    }
    accessSync(c.dir, constants.W_OK | constants.X_OK);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: errnoOf(err) ?? (err as Error).message, refuse: c.kind === 'configured' };
  }
}

/** Whether a process answers on `path` (a live socket), else false (stale: nobody listens). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', (err) => (errnoOf(err) === 'ECONNREFUSED' || errnoOf(err) === 'ENOENT' ? resolve(false) : reject(err)));
  });
}

export class StatusServer {
  private server?: Server;
  private timer?: NodeJS.Timeout;
  /** The socket's path once listening. */
  path?: string;

  constructor(private readonly opts: StatusServerOptions) {}

  /** Opens the socket; on any problem logs one warning and carries on without it. */
  async open(): Promise<void> {
    const { log } = this.opts;
    try {
      const path = await this.choosePath();
      if (!path) return;
      await this.listen(path);
      this.path = path;
      this.timer = setInterval(() => this.opts.tick(), BUCKET_MS);
      this.timer.unref();
      log.info('status socket listening', { path, ask: `algorithmia-insights status -c ${this.opts.configFile}` });
    } catch (err) {
      const e = asInsightsError(err, 'STATUS_SOCKET');
      log.warn('status socket not opened: `status` will not find this process', { error: e.message, code: 'STATUS_SOCKET' });
    }
  }

  private async choosePath(): Promise<string | undefined> {
    const { log } = this.opts;
    const uid = process.getuid?.() ?? -1;
    const realConfigPath = realpathSync(this.opts.configFile);
    const name = socketFileName(realConfigPath);
    const candidates = socketDirCandidates({ realConfigPath, configuredDir: this.opts.configuredDir, xdgRuntimeDir: process.env.XDG_RUNTIME_DIR, tmpDir: tmpdir() }, uid);
    const tried: string[] = [];
    for (const c of candidates) {
      const ready = prepareDir(c, uid);
      if (!ready.ok) {
        tried.push(`${c.dir} (${ready.reason})`);
        if (ready.refuse) throw new InsightsError('STATUS_SOCKET', `cannot use ${c.dir}: ${ready.reason}`);
        continue;
      }
      const path = join(c.dir, name);
      if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) throw new InsightsError('STATUS_SOCKET', `socket path longer than ${MAX_SOCKET_PATH_BYTES} bytes: ${path}`);
      if (!(await this.claim(path))) {
        log.warn('another process answers on the status socket of this configuration: not opening one', { path, code: 'STATUS_SOCKET' });
        return undefined;
      }
      return path;
    }
    throw new InsightsError('STATUS_SOCKET', `no usable directory: ${tried.join('; ')}`);
  }

  /** Frees `path` for us: absent, or a stale socket (removed). False when a process answers there. */
  private async claim(path: string): Promise<boolean> {
    let isSocket: boolean;
    try {
      isSocket = lstatSync(path).isSocket();
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return true;
      throw err;
    }
    if (!isSocket) throw new InsightsError('STATUS_SOCKET', `${path} exists and is not a socket (left alone)`);
    if (await answers(path)) return false;
    unlinkSync(path);
    return true;
  }

  private listen(path: string): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.log.warn('status socket error', { error: err.message, code: 'STATUS_SOCKET' }));
        this.server = server;
        try {
          chmodSync(path, 0o600);
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  private serve(socket: Socket): void {
    let buf = '';
    socket.setEncoding('utf8');
    socket.setTimeout(STATUS_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => undefined); // a client that went away: nothing to do
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.removeAllListeners('data');
      socket.end(`${JSON.stringify(this.answer(buf.slice(0, nl)))}\n`);
    });
  }

  private answer(line: string): unknown {
    let request: { request?: unknown };
    try {
      request = JSON.parse(line) as { request?: unknown };
    } catch {
      return { error: 'the request is not JSON' };
    }
    if (request?.request !== 'status') return { error: `unknown request ${JSON.stringify(request?.request)}` };
    try {
      return this.opts.reply();
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /** Stops answering and removes the socket file. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.path) {
      try {
        unlinkSync(this.path);
      } catch {
        /* already gone */
      }
    }
  }
}
