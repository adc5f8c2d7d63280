/**
 * The client of the status socket: tries each candidate path in order and returns the first
 * reply, or, when none answers, what it found at each place (for the "where it looked" line).
 */
import { readdirSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { STATUS_REQUEST, STATUS_TIMEOUT_MS, type StatusReply } from './protocol';
import { clientSocketPaths } from './socketPath';

export interface Attempt {
  path: string;
  /** `no socket`, `nobody listening (stale socket)`, `permission denied`, `timed out`... */
  outcome: string;
}

export type AskResult = { ok: true; path: string; reply: StatusReply } | { ok: false; attempts: Attempt[] };

const OUTCOMES: Record<string, string> = {
  ENOENT: 'no socket',
  ENOTDIR: 'no socket',
  ECONNREFUSED: 'nobody listening (stale socket)',
  EACCES: 'permission denied (ask as the user the check runs as, or root)',
  EPERM: 'permission denied (ask as the user the check runs as, or root)',
};

/** One request on one socket: the parsed reply, or why not. */
export function askSocket(path: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<{ reply?: StatusReply; outcome: string }> {
  return new Promise((resolve) => {
    let buf = '';
    let settled = false;
    const done = (r: { reply?: StatusReply; outcome: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const s = connect(path);
    const timer = setTimeout(() => done({ outcome: `timed out after ${timeoutMs} ms` }), timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => s.write(`${JSON.stringify(STATUS_REQUEST)}\n`));
    s.on('data', (d: string) => (buf += d));
    s.once('end', () => {
      const line = buf.split('\n')[0];
      try {
        const reply = JSON.parse(line) as StatusReply & { error?: string };
        if (reply.error !== undefined || !Array.isArray(reply.instances)) done({ outcome: `answered with an error: ${reply.error ?? 'no instances'}` });
        else done({ reply, outcome: 'answered' });
      } catch {
        done({ outcome: 'answered something that is not JSON' });
      }
    });
    s.once('error', (err: NodeJS.ErrnoException) => done({ outcome: OUTCOMES[err.code ?? ''] ?? `cannot connect (${err.code ?? err.message})` }));
  });
}

/** Asks the process running `configFile` (its status socket found as the daemon placed it). */
export async function askStatus(configFile: string, configuredDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<AskResult> {
  const realConfigPath = realpathSync(configFile);
  const uid = process.getuid?.() ?? -1;
  const tmp = tmpdir();
  let entries: string[] = [];
  if (uid === 0 && configuredDir === undefined) {
    try {
      entries = readdirSync(tmp);
    } catch {
      /* nothing to scan */
    }
  }
  const paths = clientSocketPaths({ realConfigPath, configuredDir, xdgRuntimeDir: env.XDG_RUNTIME_DIR, tmpDir: tmp }, uid, entries);
  const attempts: Attempt[] = [];
  for (const path of paths) {
    const r = await askSocket(path);
    if (r.reply) return { ok: true, path, reply: r.reply };
    attempts.push({ path, outcome: r.outcome });
  }
  return { ok: false, attempts };
}
