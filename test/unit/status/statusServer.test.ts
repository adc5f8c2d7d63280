/** The daemon's status socket on a real Unix socket: answers, modes, stale files, a second process. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../src/log/logger';
import { StatusServer } from '../../../src/runtime/statusServer';
import { askSocket } from '../../../src/status/client';
import type { StatusReply } from '../../../src/status/protocol';

const reply: StatusReply = { version: 1, pid: process.pid, started_at: 'x', uptime_seconds: 0, config_file: 'c', instances: [] };

function capture() {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push({ level, msg, fields });
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger;
  return { log, lines };
}

let root: string;
let conf: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aik-srv-'));
  conf = join(root, 'conf.yaml');
  writeFileSync(conf, 'instances: []\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const server = (log: Logger, dir = join(root, 'run')) => new StatusServer({ configFile: conf, configuredDir: dir, log, reply: () => reply, tick: () => undefined });

describe('status server', () => {
  it('answers one status request; directory 0700, socket 0600; the file is gone after close', async () => {
    const { log } = capture();
    const s = server(log);
    await s.open();
    expect(s.path).toMatch(/\/run\/status-[0-9a-f]{16}\.sock$/);
    expect(statSync(join(root, 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(s.path!).mode & 0o777).toBe(0o600);
    expect(await askSocket(s.path!)).toEqual({ reply, outcome: 'answered' });
    await s.close();
    expect(existsSync(s.path!)).toBe(false);
  });

  it('replaces a stale socket left by a killed process', async () => {
    const { log } = capture();
    const first = server(log);
    await first.open();
    const path = first.path!;
    await first.close();
    // A process killed while listening leaves its socket file behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(statSync(path).isSocket()).toBe(true);
    expect((await askSocket(path)).outcome).toBe('nobody listening (stale socket)');
    const s = server(log);
    await s.open();
    expect(s.path).toBe(path);
    expect((await askSocket(path)).reply).toEqual(reply);
    await s.close();
  });

  it('opens none when another process answers for the same configuration (and leaves it be)', async () => {
    const first = server(capture().log);
    await first.open();
    const { log, lines } = capture();
    const second = server(log);
    await second.open();
    expect(second.path).toBeUndefined();
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'another process answers on the status socket of this configuration: not opening one' }));
    expect((await askSocket(first.path!)).reply).toEqual(reply);
    await second.close();
    expect(existsSync(first.path!)).toBe(true);
    await first.close();
  });

  it('never fatal: a directory it cannot create is one warning with its code', async () => {
    writeFileSync(join(root, 'file'), '');
    const { log, lines } = capture();
    const s = server(log, join(root, 'file', 'sub'));
    await s.open();
    expect(s.path).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ code: 'STATUS_SOCKET' }) })]);
  });

  it('answers a bad request with an error, not a status', async () => {
    const { log } = capture();
    const s = server(log);
    await s.open();
    const { connect } = await import('node:net');
    const text = await new Promise<string>((resolve) => {
      let buf = '';
      const c = connect(s.path!, () => c.write('{"request":"shutdown"}\n'));
      c.on('data', (d) => (buf += d.toString()));
      c.on('end', () => resolve(buf));
    });
    expect(JSON.parse(text)).toEqual({ error: 'unknown request "shutdown"' });
    await s.close();
  });

  it('a non-socket file at the path is left alone', async () => {
    const { log } = capture();
    const first = server(log);
    await first.open();
    const path = first.path!;
    await first.close();
    writeFileSync(path, 'mine');
    const s = server(log);
    await s.open();
    expect(s.path).toBeUndefined();
    expect(statSync(path).isFile()).toBe(true);
  });
});
