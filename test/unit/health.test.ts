/**
 * The health state: the service check's status and message, the log lines it writes (one per
 * change of state, never one per retry), and kafkajs's own lines folded into ours. A fake clock
 * and a captured logger; no I/O.
 */
import { PassThrough } from 'node:stream';
import type { KafkaCause } from '../../src/kafkaCauses';
import { createLogger } from '../../src/log/logger';
import { isFolded, kafkaLogCreator, warningFields } from '../../src/source/kafkaLog';
import { HealthState } from '../../src/telemetry/health';
import { STARTING_GRACE_MS } from '../../src/tunables';

const T0 = 1_800_000_000_000;
const INTERVAL = 15_000;
const REFUSED: KafkaCause = { key: 'connection_refused', message: 'connection refused to 10.0.0.5:9092', broker: '10.0.0.5:9092', code: 'KAFKA_CONNECT' };
const NOT_FOUND: KafkaCause = { key: 'host_not_found', message: 'host not found: kafka.invalid', broker: 'kafka.invalid:9092', code: 'KAFKA_CONNECT' };
const TOPIC_ACL: KafkaCause = { key: 'topic_not_authorized', message: 'topic not authorised: t (TOPIC_AUTHORIZATION_FAILED)', code: 'KAFKA_NOT_AUTHORIZED' };

function setup(level: 'debug' | 'info' = 'info') {
  let now = T0;
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  const log = createLogger({ level, format: 'json', stream, now: () => now });
  const health = new HealthState('t', log, INTERVAL, 100, () => now);
  health.started();
  return {
    health,
    log,
    advance: (ms: number) => (now += ms),
    lines: () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

type Step = ['fetched' | 'joined' | 'left'] | ['failed' | 'attempt', KafkaCause] | ['wait', number];
const run = (s: ReturnType<typeof setup>, steps: Step[]) => {
  for (const step of steps) {
    if (step[0] === 'fetched') s.health.fetched();
    else if (step[0] === 'joined') s.health.joinedGroup();
    else if (step[0] === 'left') s.health.leftGroup();
    else if (step[0] === 'failed') s.health.failed(step[1]);
    else if (step[0] === 'attempt') s.health.connectFailed(step[1]);
    else s.advance(step[1] as number);
  }
};
const STALE = 3 * INTERVAL;

describe('HealthState: status and message', () => {
  it.each<[string, Step[], { ok: boolean; message?: string; cause?: string; starting?: boolean }]>([
    ['at start, nothing yet: starting (no service check)', [], { ok: false, message: 'not connected to Kafka yet', starting: true }],
    ['a refused attempt during the grace names the cause but keeps the grace', [['attempt', REFUSED]], { ok: false, message: REFUSED.message, cause: 'connection_refused', starting: true }],
    ['after the grace, still refused: the cause and broker, not "not connected"', [['attempt', REFUSED], ['wait', STARTING_GRACE_MS + 3 * INTERVAL]], { ok: false, message: REFUSED.message, cause: 'connection_refused', starting: false }],
    ['after the grace, nothing known', [['wait', STARTING_GRACE_MS + 3 * INTERVAL]], { ok: false, message: 'not connected to Kafka yet', starting: false }],
    ['the consumer failed: the grace ends at once', [['failed', NOT_FOUND]], { ok: false, message: NOT_FOUND.message, cause: 'host_not_found', starting: false }],
    ['just joined, not fetched yet: OK (the join report)', [['joined']], { ok: true, starting: false }],
    ['joined after a failure, no error since: OK', [['failed', REFUSED], ['wait', 2000], ['joined']], { ok: true }],
    ['joined, then a failure: the failure', [['joined'], ['wait', 10], ['failed', TOPIC_ACL]], { ok: false, message: TOPIC_ACL.message, cause: 'topic_not_authorized' }],
    ['joined and never fetched, past the staleness rule', [['joined'], ['wait', STALE + 1000]], { ok: false, message: 'no fetch from Kafka since the group join 46 s ago' }],
    ['fetching: OK', [['joined'], ['fetched']], { ok: true }],
    ['fetching, then a refused attempt (another broker): still OK', [['joined'], ['fetched'], ['wait', 10], ['attempt', REFUSED]], { ok: true }],
    ['fetching stopped, refused since: stale, with the cause', [['joined'], ['fetched'], ['wait', 10], ['attempt', REFUSED], ['wait', STALE]], { ok: false, message: `no successful fetch from Kafka for 45 s (last error: ${REFUSED.message})`, cause: 'connection_refused' }],
    ['recovered: an old failure no longer counts', [['failed', REFUSED], ['wait', 1000], ['joined'], ['fetched']], { ok: true }],
    ['left the group after a failure: the failure', [['joined'], ['fetched'], ['wait', 10], ['failed', REFUSED], ['left']], { ok: false, message: REFUSED.message, cause: 'connection_refused' }],
  ])('%s', (_name, steps, want) => {
    const s = setup();
    run(s, steps);
    const h = s.health.health();
    expect({ ok: h.ok, ...(h.ok ? {} : { message: h.message }), ...(h.cause ? { cause: h.cause.key } : {}) }).toEqual({ ok: want.ok, ...(want.ok ? {} : { message: want.message }), ...(want.cause ? { cause: want.cause } : {}) });
    if (want.starting !== undefined) expect(s.health.starting).toBe(want.starting);
  });

  it('keeps the last cause, since when and when last seen, also once healthy again', () => {
    const s = setup();
    s.health.failed(REFUSED);
    s.advance(5000);
    s.health.connectFailed(REFUSED);
    expect(s.health.health().cause).toEqual({ key: 'connection_refused', message: REFUSED.message, broker: REFUSED.broker, since: T0, at: T0 + 5000 });
    s.advance(1000);
    s.health.failed(NOT_FOUND);
    expect(s.health.health().cause).toMatchObject({ key: 'host_not_found', since: T0 + 6000 });
    s.advance(1000);
    s.health.joinedGroup();
    s.health.fetched();
    const h = s.health.health();
    expect(h.ok).toBe(true);
    expect(h.cause).toBeUndefined();
    expect(h.lastCause).toMatchObject({ key: 'host_not_found', at: T0 + 6000 });
  });
});

describe('HealthState: one log line per change of state', () => {
  it('a cause retried many times is logged once; a new cause and the recovery once each', () => {
    const s = setup();
    for (let i = 0; i < 20; i++) {
      s.health.connectFailed(REFUSED);
      s.advance(300);
    }
    s.health.failed(REFUSED); // kafkajs gave up its retries: same cause, now unhealthy
    for (let i = 0; i < 20; i++) {
      s.health.connectFailed(REFUSED);
      s.health.failed(REFUSED);
      s.advance(1000);
    }
    s.health.failed(NOT_FOUND);
    s.health.connectFailed(NOT_FOUND);
    s.advance(1000);
    s.health.joinedGroup();
    s.health.fetched();
    s.health.fetched();
    expect(s.lines().map((l) => [l.level, l.msg, l.reason, l.cause, l.broker])).toEqual([
      ['warn', 'Kafka connection failed', REFUSED.message, 'connection_refused', REFUSED.broker],
      ['error', 'Kafka unavailable', REFUSED.message, 'connection_refused', REFUSED.broker],
      ['error', 'Kafka unavailable', NOT_FOUND.message, 'host_not_found', NOT_FOUND.broker],
      ['info', 'connected to Kafka and consuming', undefined, undefined, undefined],
    ]);
  });

  it('a failed attempt while consuming is logged once (warning), without changing the health', () => {
    const s = setup();
    s.health.joinedGroup();
    s.health.fetched();
    s.health.connectFailed(REFUSED);
    s.health.connectFailed(REFUSED);
    s.health.fetched();
    s.health.connectFailed(REFUSED); // after a good fetch, a failure again is news
    expect(s.lines().map((l) => l.msg)).toEqual(['connected to Kafka and consuming', 'Kafka connection failed', 'Kafka connection failed']);
  });

  it('logs nothing once stopping', () => {
    const s = setup();
    s.health.stopped();
    s.health.failed(REFUSED);
    s.health.connectFailed(NOT_FOUND);
    expect(s.lines()).toEqual([]);
  });
});

describe("kafkajs's own lines", () => {
  const entry = (namespace: string, level: number, log: Record<string, unknown>) => ({ namespace, level, label: 'ERROR', log: { timestamp: 'x', logger: 'kafkajs', ...log } });

  it.each<[string, string, Record<string, unknown>, boolean]>([
    ['a connection error (per retry)', 'Connection', { message: 'Connection error: connect ECONNREFUSED', broker: 'b:1', stack: 'Error: ...\n at x' }, true],
    ['a seed broker retry', 'BrokerPool', { message: 'Failed to connect to seed broker', retryCount: 1 }, true],
    ['a SASL failure', 'SaslAuthenticator-SCRAM-SHA-512', { message: 'SASL SCRAM SHA512 authentication failed' }, true],
    ['the consumer crash', 'Consumer', { message: 'Crash: KafkaJSNumberOfRetriesExceeded', retryCount: 8, stack: 's' }, true],
    ['the consumer restart', 'Consumer', { message: 'Restarting the consumer in 300ms', retryCount: undefined, retryTime: 300 }, true],
    ['a consumer disconnect problem', 'Consumer', { message: 'Caught error when disconnecting the consumer' }, false],
    ['a rebalance', 'Runner', { message: 'The group is rebalancing, re-joining' }, false],
  ])('%s: folded %s', (_n, namespace, e, folded) => {
    expect(isFolded(namespace, e)).toBe(folded);
  });

  it('drops stacks and nested errors from a warning', () => {
    expect(warningFields({ message: 'm', timestamp: 't', logger: 'kafkajs', stack: 's', error: 'text stays', nested: new Error('x'), obj: { stack: 's' }, groupId: 'g' })).toEqual({ error: 'text stays', groupId: 'g' });
  });

  it('writes folded lines at debug only (with the stack), others at warn without it', () => {
    const run = (level: 'debug' | 'info') => {
      const s = setup(level);
      const logFn = kafkaLogCreator(s.log)(0);
      for (let i = 0; i < 3; i++) logFn(entry('Connection', 1, { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1', broker: '127.0.0.1:1', stack: 'Error: connect\n    at TCPConnectWrap' }) as never);
      logFn(entry('Runner', 1, { message: 'Error when calling eachBatch', stack: 'Error: x\n    at y', error: 'x' }) as never);
      return s.lines();
    };
    const info = run('info');
    expect(info.map((l) => [l.level, l.msg, l.stack])).toEqual([['warn', 'kafka: Error when calling eachBatch', undefined]]);
    const debug = run('debug');
    expect(debug.filter((l) => l.level === 'debug' && l.namespace === 'Connection')).toHaveLength(3);
    expect(debug.find((l) => l.namespace === 'Connection')?.stack).toContain('TCPConnectWrap');
  });
});
