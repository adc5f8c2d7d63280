/**
 * The cause, not "not connected" (issue 22, section 3), end to end: the real check process,
 * pointed at a refused port, an unknown host, and a topic the real broker does not have; the
 * service check datagrams on a real UDP listener and the log on stderr.
 */
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { CheckProcess, cleanEnv, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';
import { freePort } from '../../scripts/kafka/broker';

afterAll(() => cleanUpCheckProcesses());

const CRITICAL = '_sc|algorithmia.can_connect|2|';
const checksOf = (lines: string[]) => lines.filter((l) => l.startsWith('_sc|algorithmia.can_connect|'));
const messageOf = (sc: string) => sc.slice(sc.indexOf('|m:') + 3);

/** Runs the check until it has sent `checks` service checks and retried its member at least twice. */
async function runUntilChecks(bootstrap: string, topic: string, checks: number) {
  const dsd = await DogStatsDListener.udp();
  // Quick retries (kafkajs gives up after ~2 s, the member is replaced), a report every second, debug to count kafkajs's retries.
  const cfg = testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url, extra: { retry_max_ms: 300, connection_timeout_ms: 1000 } }, { log_level: 'debug' });
  const { file, dir } = writeConfig(cfg);
  const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
  try {
    await dsd.waitFor((l) => checksOf(l).length >= checks, 45_000, `${checks} service checks`);
    await check.waitForLog(() => check.logs().filter((e) => e.msg === 'Kafka unavailable' || e.msg === 'Kafka connection failed').length > 0);
    // At least two members failed in turn (each counted once): the cause was met again and again.
    await dsd.waitFor((l) => consumeFailures(l) >= 2, 30_000, 'two consumer failures');
    expect(check.proc.exitCode).toBeNull(); // keeps running and retrying
    check.kill('SIGTERM');
    expect((await check.exited).code).toBe(0);
  } finally {
    await check.stop();
    await dsd.close();
  }
  return { lines: dsd.lines, check };
}

/** How many times the consumer failed, as counted in algorithmia.forwarder.errors (stage consume). */
const consumeFailures = (lines: string[]) =>
  lines.filter((l) => l.startsWith('algorithmia.forwarder.errors:') && l.includes('stage:consume')).reduce((n, l) => n + Number(l.slice(l.indexOf(':') + 1, l.indexOf('|'))), 0);

/** The log has no stack trace at warning level or above, and names the cause once per change of state. */
function expectFoldedLog(check: CheckProcess, reason: string, cause: string) {
  const logs = check.logs();
  const loud = logs.filter((e) => e.level === 'warn' || e.level === 'error');
  for (const e of loud) {
    expect(e).not.toHaveProperty('stack');
    expect(JSON.stringify(e)).not.toMatch(/\\n\s+at /);
  }
  // kafkajs's per-retry lines are folded into ours (debug only).
  expect(loud.filter((e) => String(e.msg).startsWith('kafka: '))).toEqual([]);
  expect(logs.filter((e) => e.level === 'debug' && String(e.msg).startsWith('kafka: ')).length).toBeGreaterThan(4);
  const named = loud.filter((e) => e.reason !== undefined);
  expect(named.map((e) => [e.msg, e.reason, e.cause])).toEqual(
    // The first failed attempt (during the starting grace), then the instance unavailable once kafkajs gave up.
    [
      ['Kafka connection failed', reason, cause],
      ['Kafka unavailable', reason, cause],
    ],
  );
  expect(check.stderr).not.toContain('not connected to Kafka yet');
}

describe('the cause of a Kafka failure', () => {
  it('a refused port: the service check and one log line per change name "connection refused to 127.0.0.1:PORT"', async () => {
    const port = await freePort(); // nothing listens on it
    const broker = `127.0.0.1:${port}`;
    const { lines, check } = await runUntilChecks(broker, uniqueName('t'), 3);
    const sc = checksOf(lines);
    // The starting grace held the check back until the first error; from then on, CRITICAL with the cause.
    expect(sc.every((l) => l.startsWith(CRITICAL))).toBe(true);
    expect(new Set(sc.map(messageOf))).toEqual(new Set([`connection refused to ${broker}`]));
    expectFoldedLog(check, `connection refused to ${broker}`, 'connection_refused');
  });

  it('an unknown host: "host not found"', async () => {
    const { lines, check } = await runUntilChecks('no-such-host.invalid:9092', uniqueName('t'), 3);
    const sc = checksOf(lines);
    expect(sc.every((l) => l.startsWith(CRITICAL))).toBe(true);
    expect(new Set(sc.map(messageOf))).toEqual(new Set(['host not found: no-such-host.invalid']));
    expectFoldedLog(check, 'host not found: no-such-host.invalid', 'host_not_found');
  });
});

describe('the cause of a Kafka failure on the real broker', () => {
  const { bootstrap } = sharedBroker();

  it('a topic that does not exist: "topic does not exist: TOPIC", once', async () => {
    const topic = uniqueName('missing'); // never created
    const dsd = await DogStatsDListener.udp();
    const cfg = testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url, extra: { retry_max_ms: 300 } });
    const { file, dir } = writeConfig(cfg);
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => checksOf(l).length >= 3, 45_000, '3 service checks');
      const sc = checksOf(dsd.lines);
      expect(sc.every((l) => l.startsWith(CRITICAL))).toBe(true);
      expect(new Set(sc.map(messageOf))).toEqual(new Set([`topic does not exist: ${topic} (UNKNOWN_TOPIC_OR_PARTITION)`]));
      const named = check.logs().filter((e) => (e.level === 'warn' || e.level === 'error') && e.reason !== undefined);
      expect(named.map((e) => [e.msg, e.cause])).toEqual([['Kafka unavailable', 'unknown_topic']]);
    } finally {
      await check.stop();
      await dsd.close();
    }
  });

  it('a TLS listener whose CA is not trusted: "TLS handshake failed with HOST:PORT: CODE"', async () => {
    const { saslBootstrap, scramUser } = sharedBroker();
    const dsd = await DogStatsDListener.udp();
    const cfg = testConfig({
      bootstrap: saslBootstrap,
      topic: uniqueName('tls'),
      group: uniqueName('g'),
      dogstatsdUrl: dsd.url,
      // No ca_file: the broker's certificate cannot be verified.
      extra: { retry_max_ms: 300, security_protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: scramUser.username, password_env: 'KAFKA_PASSWORD' } },
    });
    const { file, dir } = writeConfig(cfg);
    const check = CheckProcess.start(['run', '-c', file], { env: cleanEnv({ KAFKA_PASSWORD: scramUser.password }), cleanupDir: dir });
    try {
      await dsd.waitFor((l) => checksOf(l).length >= 2, 45_000, '2 service checks');
      const sc = checksOf(dsd.lines);
      expect(sc.every((l) => l.startsWith(CRITICAL))).toBe(true);
      const messages = [...new Set(sc.map(messageOf))];
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(new RegExp(`^TLS handshake failed with ${saslBootstrap.replace(/\./g, '\\.')}: [A-Z_]+$`));
      const loud = check.logs().filter((e) => e.level === 'warn' || e.level === 'error');
      expect(loud.filter((e) => e.stack !== undefined)).toEqual([]);
      expect(loud.filter((e) => e.reason !== undefined).map((e) => e.cause)).toEqual(['tls_failed', 'tls_failed']);
      const errors = dsd.lines.filter((l) => l.startsWith('algorithmia.forwarder.errors:') && l.includes('stage:consume'));
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((l) => l.includes('error_code:kafka_tls'))).toBe(true);
    } finally {
      await check.stop();
      await dsd.close();
    }
    expect(check.stderr).not.toContain(scramUser.password);
  });
});
