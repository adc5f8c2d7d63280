/**
 * `algorithmia-insights status` against a running check process (real broker, real socket):
 * healthy, Kafka unreachable, and no process at all.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';
import type { StatusReply } from '../../src/status/protocol';

const socketDirs: string[] = [];
afterAll(() => {
  cleanUpCheckProcesses();
  for (const d of socketDirs) rmSync(d, { recursive: true, force: true });
});

function socketDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'aik-status-'));
  socketDirs.push(d);
  return join(d, 'sock'); // created by the daemon (0700)
}

async function status(file: string, json = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = CheckProcess.start(['status', '-c', file, ...(json ? ['--json'] : [])]);
  const { code } = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr };
}

/** Asks until `done` holds for the JSON answer (the daemon needs a moment to join and consume). */
async function statusUntil(file: string, done: (r: StatusReply) => boolean, timeoutMs = 45_000): Promise<StatusReply> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await status(file, true);
    last = `exit ${r.code}\n${r.stdout}${r.stderr}`;
    if (r.code === 0 || r.code === 1) {
      const reply = JSON.parse(r.stdout) as StatusReply;
      if (done(reply)) return reply;
    }
    if (Date.now() > deadline) throw new Error(`status never showed what was expected; last answer:\n${last}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

async function refusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('algorithmia-insights status', () => {
  const { bootstrap } = sharedBroker();

  it('healthy: exit 0; topic, group, partitions and the consumed count; --json has the counts; the socket is 0600 and gone after stop', async () => {
    const topic = uniqueName('status');
    const group = uniqueName('g');
    await createTopic(bootstrap, topic, 2);
    const N = 25;
    await produce(
      bootstrap,
      topic,
      Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ algorithm_name: 'a', algorithm_version: '1', duration_milliseconds: i, label: 'x' }) })),
    );
    const dsd = await DogStatsDListener.udp();
    const dir = socketDir();
    const { file } = writeConfig(testConfig({ bootstrap, topic, group, dogstatsdUrl: dsd.url }, { status_socket_dir: dir }));
    const check = CheckProcess.start(['run', '-c', file]);
    try {
      const reply = await statusUntil(file, (r) => r.instances[0].counters.since_start.messages_consumed === N && r.instances[0].kafka.healthy);
      const inst = reply.instances[0];
      expect(reply.pid).toBe(check.proc.pid);
      expect(inst).toMatchObject({ topic, consumer_group: group, brokers: [bootstrap], kafka: { state: 'joined', healthy: true } });
      expect(inst.partitions?.map((p) => p.partition)).toEqual([0, 1]);
      expect(inst.counters.since_start).toMatchObject({ messages_consumed: N, values_sent: N, values_dropped: N, dropped_by_reason: { non_numeric: N }, messages_rejected: 0 });
      expect(inst.counters.last_minute.messages_consumed).toBe(N);
      expect(inst.dogstatsd.target).toContain(dsd.url.replace(/^udp:\/\//, ''));
      expect(inst.newest_message?.age_seconds).toBeGreaterThanOrEqual(0);
      expect(inst.monitoring.drift.enabled).toBe(true);

      const text = await status(file);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`    topic:           ${topic}\n`);
      expect(text.stdout).toContain(`    consumer group:  ${group}\n`);
      expect(text.stdout).toContain('  Partitions: 2 owned\n');
      expect(text.stdout).toMatch(new RegExp(`\\n    messages consumed +${N} +${N}\\n`));
      expect(text.stdout).toContain('    health:          OK\n');

      const sockets = check.logs().filter((e) => e.msg === 'status socket listening');
      expect(sockets).toHaveLength(1);
      const path = String(sockets[0].path);
      expect(path.startsWith(`${dir}/status-`)).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      check.kill('SIGTERM');
      expect(await check.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(path)).toBe(false);
    } finally {
      await check.stop();
      await dsd.close();
    }
  });

  it('Kafka unreachable (a refused port): exit 1, the state failing and the reason shown', async () => {
    const port = await refusedPort();
    const dsd = await DogStatsDListener.udp();
    const { file } = writeConfig(testConfig({ bootstrap: `127.0.0.1:${port}`, topic: uniqueName('down'), group: uniqueName('g'), dogstatsdUrl: dsd.url }, { status_socket_dir: socketDir() }));
    const check = CheckProcess.start(['run', '-c', file]);
    try {
      const reply = await statusUntil(file, (r) => r.instances[0].kafka.state === 'failing');
      expect(reply.instances[0].kafka).toMatchObject({ healthy: false, last_error: { stage: 'consume', code: 'KAFKA_CONNECT' } });
      expect(reply.instances[0].kafka.message).toContain(`127.0.0.1:${port}`);
      expect(reply.instances[0].kafka.cause).toMatchObject({ key: 'connection_refused', message: `connection refused to 127.0.0.1:${port}`, broker: `127.0.0.1:${port}` });
      const text = await status(file);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('    state:           failing\n');
      expect(text.stdout).toMatch(new RegExp(`\\n    health: +NOT OK: .*127\\.0\\.0\\.1:${port}`));
      expect(text.stdout).toContain('    last error:      KAFKA_CONNECT at ');
      expect(text.stdout).toContain(`    cause:           connection refused to 127.0.0.1:${port} (connection_refused) since `);
    } finally {
      await check.stop();
      await dsd.close();
    }
  });

  it('no process: exit 3 and a line saying where it looked', async () => {
    const dir = socketDir();
    const { file } = writeConfig(testConfig({ bootstrap, topic: 't', group: 'g', dogstatsdUrl: 'udp://127.0.0.1:8125' }, { status_socket_dir: dir }));
    const r = await status(file);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`No running algorithmia-insights process answered for ${file}. Looked at:\n`);
    expect(r.stderr).toMatch(new RegExp(`\\n  ${dir}/status-[0-9a-f]{16}\\.sock +no socket\\n`));
    const json = await status(file, true);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: 'no process answered', looked_at: [{ outcome: 'no socket' }] });
  });
});
