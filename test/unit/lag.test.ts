/**
 * Consumer lag in seconds: the computation (a table), the partition progress consumption keeps
 * (fetched, delivered chunk by chunk, rewound, revoked), and the lag reader over a fake admin
 * client (owned partitions only, from the group join on).
 */
import type { Kafka } from 'kafkajs';
import { silentLogger } from '../../src/log/logger';
import type { BatchMessage } from '../../src/source/batchContract';
import { PartitionProgress } from '../../src/source/partitionProgress';
import { ForwarderTelemetry } from '../../src/telemetry/forwarderTelemetry';
import { LagReader, lagSeconds, type PartitionLagView } from '../../src/telemetry/lag';
import { TelemetryReporter } from '../../src/telemetry/reporter';
import { HealthState } from '../../src/telemetry/health';
import type { DatagramTransport } from '../../src/sink/transport';

const NOW = 1_800_000_000_000;

describe('lagSeconds', () => {
  it.each([
    ['a message pending: the age of the oldest pending', { lag: 40, oldestPending: NOW - 90_000, lastDelivered: NOW - 5_000 }, 90],
    ['pending wins over the last delivered, even with no message lag yet', { lag: 0, oldestPending: NOW - 1_500, lastDelivered: NOW - 500 }, 1.5],
    ['none pending, lag above 0: the age of the last message handed off', { lag: 3, lastDelivered: NOW - 12_345 }, 12.345],
    ['none pending, lag above 0, nothing handed off since the join: unknown', { lag: 3 }, undefined],
    ['caught up: 0, however old the last message', { lag: 0, lastDelivered: NOW - 3_600_000 }, 0],
    ['caught up with nothing ever fetched: 0', { lag: 0 }, 0],
    ['a timestamp ahead of the clock counts as 0, never negative', { lag: 5, oldestPending: NOW + 2_000 }, 0],
  ])('%s', (_name, input, want) => {
    expect(lagSeconds({ ...input, now: NOW })).toBe(want);
  });
});

/** Messages at offsets from..from+n-1; message i has the timestamp ts(i). */
const messages = (from: number, n: number, ts: (offset: number) => number | undefined): BatchMessage[] =>
  Array.from({ length: n }, (_, i) => ({ offset: String(from + i), value: null, timestamp: ts(from + i) === undefined ? undefined : String(ts(from + i)) }));
/** Message at offset o was produced at NOW - 1000 s + o s. */
const tsOf = (o: number) => NOW - 1_000_000 + o * 1000;

describe('PartitionProgress (chunks of 3)', () => {
  const progress = () => {
    const p = new PartitionProgress(() => NOW, 3);
    p.joined(new Set([0, 1]));
    return p;
  };

  it('owns nothing before the first join, and what the join assigned after it', () => {
    const p = new PartitionProgress(() => NOW, 3);
    expect(p.owned()).toBeUndefined();
    p.joined(new Set([2]));
    expect([...(p.owned() ?? [])]).toEqual([2]);
    p.left();
    expect([...(p.owned() ?? [])]).toEqual([]);
  });

  it('follows the first message not handed off, chunk by chunk and batch by batch', () => {
    const p = progress();
    const a = p.fetched(0, messages(10, 7, tsOf)); // chunks 10-12, 13-15, 16
    const b = p.fetched(0, messages(17, 2, tsOf));
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(10));
    expect(p.lastDeliveredTimestamp(0)).toBeUndefined();
    p.delivered(a, '12');
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(13));
    expect(p.lastDeliveredTimestamp(0)).toBe(tsOf(12));
    p.delivered(a, '15');
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(16));
    p.delivered(a, '16');
    p.finished(a);
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(17));
    expect(p.lastDeliveredTimestamp(0)).toBe(tsOf(16));
    p.delivered(b, '18');
    p.finished(b);
    expect(p.oldestPendingTimestamp(0)).toBeUndefined();
    expect(p.lastDeliveredTimestamp(0)).toBe(tsOf(18));
    expect(p.oldestPendingTimestamp(1)).toBeUndefined();
  });

  it('keeps the first message not handed off of a failed job as the oldest pending until it is handed off', () => {
    const p = progress();
    const a = p.fetched(0, messages(0, 6, tsOf));
    p.fetched(0, messages(6, 3, tsOf)); // queued behind: dropped with the rewind
    p.delivered(a, '2');
    p.rewound(a);
    p.finished(a);
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(3));
    // fetched again from offset 3 after the backoff
    const again = p.fetched(0, messages(3, 6, tsOf));
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(3));
    p.delivered(again, '5');
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(6));
    p.delivered(again, '8');
    p.finished(again);
    expect(p.oldestPendingTimestamp(0)).toBeUndefined();
    expect(p.lastDeliveredTimestamp(0)).toBe(tsOf(8));
  });

  it('forgets a revoked partition, and everything once the member left', () => {
    const p = progress();
    p.fetched(0, messages(0, 2, tsOf));
    const b = p.fetched(1, messages(0, 2, tsOf));
    p.delivered(b, '0');
    p.joined(new Set([0]));
    expect(p.oldestPendingTimestamp(1)).toBeUndefined();
    expect(p.lastDeliveredTimestamp(1)).toBeUndefined();
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(0));
    // a job of the revoked partition that still reports is ignored
    p.delivered(b, '1');
    expect(p.lastDeliveredTimestamp(1)).toBeUndefined();
    p.left();
    expect(p.oldestPendingTimestamp(0)).toBeUndefined();
  });

  it('counts a message without a timestamp from when it was fetched', () => {
    const p = progress();
    p.fetched(0, messages(0, 2, () => undefined));
    expect(p.oldestPendingTimestamp(0)).toBe(NOW);
  });

  it('stands in the nearest earlier mark when chunks are cut elsewhere (errs on the old side)', () => {
    const p = progress();
    const a = p.fetched(0, messages(0, 7, tsOf)); // marks at 0, 2, 3, 5, 6
    p.delivered(a, '3');
    expect(p.oldestPendingTimestamp(0)).toBe(tsOf(3)); // offset 4 is no mark: offset 3 stands in
    expect(p.lastDeliveredTimestamp(0)).toBe(tsOf(3));
  });

  it('settles a join once its listeners are done (consumption holds commits until then)', async () => {
    const p = new PartitionProgress(() => NOW, 3);
    let sampled = false;
    p.onJoin(async () => {
      await new Promise((r) => setTimeout(r, 20));
      sampled = true;
    });
    p.onJoin(() => {
      throw new Error('a failing listener does not hold the join');
    });
    await p.joined(new Set([0]));
    expect(sampled).toBe(true);
  });

  it('tells the join listeners of every join', async () => {
    const p = new PartitionProgress(() => NOW, 3);
    const joins: number[] = [];
    p.onJoin(() => {
      joins.push(p.owned()?.size ?? -1);
    });
    await p.joined(new Set([0, 1]));
    await p.joined(new Set([1]));
    expect(joins).toEqual([2, 1]);
  });
});

/* ------------------------------------------------------------------ the lag reader over a fake admin client */

interface FakeTopic {
  ends: Array<{ partition: number; high: string; low: string }>;
  committed: Array<{ partition: number; offset: string }>;
}

function fakeKafka(topic: FakeTopic, fail = false): { kafka: Kafka; calls: () => number } {
  let calls = 0;
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicOffsets: async () => {
      calls++;
      if (fail) throw new Error('broker gone');
      return topic.ends.map((e) => ({ ...e, offset: e.high }));
    },
    fetchOffsets: async () => [{ topic: 't', partitions: topic.committed.map((c) => ({ ...c, metadata: null })) }],
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls: () => calls };
}

const lagLines = (telemetry: ForwarderTelemetry) =>
  telemetry
    .drainLines()
    .filter((l) => l.startsWith('algorithmia.forwarder.consumer_lag'))
    .map((l) => l.replace(/\|#.*partition:(\d+).*$/, '|p$1'))
    .sort();

describe('LagReader', () => {
  const topic: FakeTopic = {
    ends: [
      { partition: 0, high: '100', low: '0' },
      { partition: 1, high: '50', low: '0' },
      { partition: 2, high: '70', low: '0' },
    ],
    committed: [
      { partition: 0, offset: '60' },
      { partition: 1, offset: '50' },
      { partition: 2, offset: '10' },
    ],
  };

  const view = (owned: number[] | undefined, pending: Record<number, number> = {}, delivered: Record<number, number> = {}): PartitionLagView => ({
    owned: () => (owned ? new Set(owned) : undefined),
    oldestPendingTimestamp: (p) => pending[p],
    lastDeliveredTimestamp: (p) => delivered[p],
    onJoin: () => undefined,
  });

  it('reports messages and seconds for the owned partitions only: pending, none pending with a lag, caught up', async () => {
    const telemetry = new ForwarderTelemetry('topic:t');
    const { kafka } = fakeKafka(topic);
    const reader = new LagReader(kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    reader.follow(view([0, 1], { 0: NOW - 30_000 }, { 0: NOW - 31_000, 1: NOW - 600_000 }));
    await reader.refresh();
    expect(lagLines(telemetry)).toEqual([
      'algorithmia.forwarder.consumer_lag:0|g|p1',
      'algorithmia.forwarder.consumer_lag:40|g|p0',
      'algorithmia.forwarder.consumer_lag_seconds:0|g|p1',
      'algorithmia.forwarder.consumer_lag_seconds:30|g|p0',
    ]);
    // Partition 2 (not owned) is someone else's to report, whatever its lag.
  });

  it('reports the age of the last message handed off when nothing is pending but the lag is above 0', async () => {
    const telemetry = new ForwarderTelemetry('topic:t');
    const reader = new LagReader(fakeKafka(topic).kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    reader.follow(view([2], {}, { 2: NOW - 4_500 }));
    await reader.refresh();
    expect(lagLines(telemetry)).toEqual(['algorithmia.forwarder.consumer_lag:60|g|p2', 'algorithmia.forwarder.consumer_lag_seconds:4.5|g|p2']);
  });

  it('stops reporting a revoked partition after the rebalance', async () => {
    const telemetry = new ForwarderTelemetry('topic:t');
    const progress = new PartitionProgress(() => NOW, 3);
    const reader = new LagReader(fakeKafka(topic).kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    reader.follow(progress);
    progress.joined(new Set([0, 2]));
    progress.fetched(0, messages(60, 5, () => NOW - 8_000));
    await reader.refresh();
    expect(lagLines(telemetry).map((l) => l.split('|').pop())).toEqual(['p0', 'p2', 'p0']);
    progress.joined(new Set([2]));
    await reader.refresh();
    expect(lagLines(telemetry)).toEqual(['algorithmia.forwarder.consumer_lag:60|g|p2']);
  });

  it('reports nothing, and asks the brokers nothing, before the group join or without partitions', async () => {
    const telemetry = new ForwarderTelemetry('topic:t');
    const { kafka, calls } = fakeKafka(topic);
    const unwired = new LagReader(kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    await unwired.refresh();
    const reader = new LagReader(kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    reader.follow(view(undefined));
    await reader.refresh();
    reader.follow(view([]));
    await reader.refresh();
    expect(lagLines(telemetry)).toEqual([]);
    expect(calls()).toBe(0);
  });

  it('reports no stale sample when the brokers cannot be read', async () => {
    const telemetry = new ForwarderTelemetry('topic:t');
    const good = new LagReader(fakeKafka(topic).kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    good.follow(view([0], { 0: NOW - 1000 }));
    await good.refresh();
    const bad = new LagReader(fakeKafka(topic, true).kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    bad.follow(view([0], { 0: NOW - 1000 }));
    await bad.refresh();
    const lines = telemetry.drainLines();
    expect(lines.filter((l) => l.startsWith('algorithmia.forwarder.consumer_lag'))).toEqual([]);
    expect(lines.some((l) => l.startsWith('algorithmia.forwarder.errors:1|c|') && l.includes('stage:lag'))).toBe(true);
  });
});

describe('TelemetryReporter on a group join', () => {
  it('sends a lag sample at once when the member joins, before the next interval', async () => {
    const { transport, sent } = capturingTransport();
    const telemetry = new ForwarderTelemetry('topic:t');
    const progress = new PartitionProgress(() => NOW, 3);
    const reader = new LagReader(fakeKafka({ ends: [{ partition: 0, high: '500', low: '0' }], committed: [] }).kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    reader.follow(progress);
    const health = new HealthState('t', silentLogger, 60_000, 100);
    const reporter = new TelemetryReporter(telemetry, health, reader, transport, 8192, 60_000, silentLogger);
    progress.joined(new Set([0]));
    const deadline = Date.now() + 5000;
    while (!sent.some((l) => l.startsWith('algorithmia.forwarder.consumer_lag:500|g|')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sent.some((l) => l.startsWith('algorithmia.forwarder.consumer_lag:500|g|'))).toBe(true);
    reporter.stop();
  });
});

/* ------------------------------------------------------------------ the join report and the stop report */

function capturingTransport(): { transport: DatagramTransport; sent: string[] } {
  const sent: string[] = [];
  const transport = {
    lineSuffix: '',
    description: 'fake',
    send: async (datagrams: readonly Buffer[]) => {
      for (const d of datagrams) sent.push(...d.toString().split('\n'));
      return { sent: datagrams.length, failed: 0 };
    },
  } as unknown as DatagramTransport;
  return { transport, sent };
}

/** A fake admin whose committed offsets the test moves, and which can hang (a broker gone at stop). */
function movingKafka(high: number) {
  const state = { committed: [] as Array<{ partition: number; offset: string }>, hang: false, fail: false };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicOffsets: async () => {
      if (state.hang) await new Promise(() => undefined);
      if (state.fail) throw new Error('broker gone');
      return [{ partition: 0, high: String(high), low: '0', offset: String(high) }];
    },
    fetchOffsets: async () => [{ topic: 't', partitions: state.committed.map((c) => ({ ...c, metadata: null })) }],
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, state };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};
const checks = (sent: string[]) => sent.filter((l) => l.startsWith('_sc|'));
const lagOf = (sent: string[]) => sent.filter((l) => l.startsWith('algorithmia.forwarder.consumer_lag:')).map((l) => l.split('|')[0]);

describe('TelemetryReporter: the join report and the stop report', () => {
  function wire(high = 500) {
    const { transport, sent } = capturingTransport();
    const telemetry = new ForwarderTelemetry('topic:t');
    const progress = new PartitionProgress(() => NOW, 3);
    const { kafka, state } = movingKafka(high);
    const reader = new LagReader(kafka, 't', 'g', telemetry, silentLogger, () => NOW);
    reader.follow(progress);
    const health = new HealthState('t', silentLogger, 60_000, 100);
    health.started();
    const reporter = new TelemetryReporter(telemetry, health, reader, transport, 8192, 60_000, silentLogger);
    return { sent, progress, state, health, reporter };
  }

  it('the report at a group join, before any fetch, says OK (not CRITICAL "not connected")', async () => {
    const { sent, progress, health, reporter } = wire();
    // What consumption does at a join: the lag sample starts, then health hears of the join.
    const sampled = progress.joined(new Set([0]));
    health.joinedGroup();
    await sampled;
    await until(() => checks(sent).length > 0);
    expect(checks(sent)).toEqual(['_sc|algorithmia.can_connect|0|#topic:t']);
    expect(lagOf(sent)).toEqual(['algorithmia.forwarder.consumer_lag:500']);
    reporter.stop();
  });

  it('the report at stop sends the lag read after the last commit, not the join sample', async () => {
    const { sent, progress, state, health, reporter } = wire();
    health.joinedGroup();
    await progress.joined(new Set([0]));
    await until(() => lagOf(sent).length > 0);
    expect(lagOf(sent)).toEqual(['algorithmia.forwarder.consumer_lag:500']);
    sent.length = 0;
    // Caught up and committed, then stopped before any interval report.
    state.committed = [{ partition: 0, offset: '500' }];
    progress.left();
    reporter.stop();
    await reporter.report(true);
    expect(lagOf(sent)).toEqual(['algorithmia.forwarder.consumer_lag:0']);
    expect(checks(sent)).toEqual([]); // no service check at stop
  });

  it.each([
    ['the brokers cannot be read', { fail: true }],
    ['the brokers do not answer in time', { hang: true }],
  ])('the report at stop sends no lag when %s', async (_name, broken) => {
    const { sent, progress, state, health, reporter } = wire();
    health.joinedGroup();
    await progress.joined(new Set([0]));
    await until(() => lagOf(sent).length > 0);
    sent.length = 0;
    Object.assign(state, broken);
    reporter.stop();
    const started = Date.now();
    await reporter.report(true);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(lagOf(sent)).toEqual([]);
  });

  it('the report at stop asks the brokers nothing when Kafka is failing (the stop must not wait on it)', async () => {
    const { sent, progress, state, health, reporter } = wire();
    health.joinedGroup();
    await progress.joined(new Set([0]));
    await until(() => lagOf(sent).length > 0);
    sent.length = 0;
    state.hang = true;
    health.failed({ key: 'connection_refused', message: 'connection refused to b:9092', broker: 'b:9092', code: 'KAFKA_CONNECT' });
    reporter.stop();
    const started = Date.now();
    await reporter.report(true);
    expect(Date.now() - started).toBeLessThan(100);
    expect(lagOf(sent)).toEqual([]);
  });

  it('the report at stop sends no lag when none was ever sampled', async () => {
    const { sent, reporter } = wire();
    reporter.stop();
    await reporter.report(true);
    expect(lagOf(sent)).toEqual([]);
  });
});
