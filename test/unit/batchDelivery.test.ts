/** The at-least-once rule of batch delivery, with a fake transport (pure unit test). */
import { createChunkEncoder } from '../../src/encode/chunkEncoder';
import { InlineEncoding } from '../../src/encode/chunkEncoding';
import { silentLogger } from '../../src/log/logger';
import { BatchDelivery } from '../../src/runtime/batchDelivery';
import type { DatagramTransport, SendResult } from '../../src/sink/transport';
import type { BatchMessage, JobControl } from '../../src/source/batchContract';
import { ForwarderTelemetry } from '../../src/telemetry/forwarderTelemetry';
import { testEncoderSetup } from '../harness/encoderConfig';

class FakeTransport implements DatagramTransport {
  readonly description = 'fake';
  readonly lineSuffix = '';
  sent: string[] = [];
  failNext = 0;
  async send(datagrams: readonly Buffer[]): Promise<SendResult> {
    if (this.failNext > 0) {
      this.failNext--;
      return { sent: datagrams.length - 1, failed: 1, error: new Error('send -111') };
    }
    this.sent.push(...datagrams.map((d) => d.toString()));
    return { sent: datagrams.length, failed: 0 };
  }
  async close(): Promise<void> {}
}

function setup(chunkSize: number, opts: { useMessageTime?: boolean; types?: Record<string, 'gauge' | 'count'>; maxDatagramBytes?: number; packValues?: boolean } = {}) {
  const transport = new FakeTransport();
  const telemetry = new ForwarderTelemetry('topic:t');
  const encoder = createChunkEncoder(
    testEncoderSetup({
      metric_types: opts.types ?? {},
      use_message_time: opts.useMessageTime ?? false,
      dogstatsd: { url: 'udp://localhost:8125', max_datagram_bytes: opts.maxDatagramBytes ?? 1432, ...(opts.packValues === undefined ? {} : { pack_values: opts.packValues }) },
    }),
  );
  const delivery = new BatchDelivery(new InlineEncoding(encoder), transport, telemetry, silentLogger, undefined, {
    chunkSize,
    now: () => Date.UTC(2026, 10, 25, 12, 0, 0),
  });
  /** The job of one fetched batch, run to its outcome (what consumption does with each batch). */
  const processor = {
    process: (topic: string, partition: number, messages: BatchMessage[], control: JobControl) => delivery.prepare({ topic, partition, messages }).run(control),
  };
  const resolved: string[] = [];
  const control: JobControl = { delivered: (o: string) => void resolved.push(o), isStale: () => false };
  return { transport, telemetry, processor, resolved, control };
}

const msg = (offset: number, body: unknown): BatchMessage => ({ offset: String(offset), value: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });

describe('BatchDelivery', () => {
  it('resolves each chunk only after its datagrams were sent', async () => {
    const { transport, processor, resolved, control, telemetry } = setup(2);
    const messages = [0, 1, 2, 3, 4].map((i) => msg(i, { algorithm_name: 'a', duration_milliseconds: i }));
    const out = await processor.process('t', 0, messages, control);
    expect(out).toEqual({ ok: true, lastResolved: '4', processed: 5 });
    expect(resolved).toEqual(['1', '3', '4']);
    // packed (DogStatsD 1.1): one line per series and chunk
    expect(transport.sent.join('\n').split('\n')).toEqual([
      'algorithmia.duration_milliseconds:0:1|d|#algorithm_name:a',
      'algorithmia.duration_milliseconds:2:3|d|#algorithm_name:a',
      'algorithmia.duration_milliseconds:4|d|#algorithm_name:a',
    ]);
    expect(telemetry.totals.consumed).toBe(5);
    expect(telemetry.totals.emitted).toBe(5);
  });

  it('sends one line per value when packing is off', async () => {
    const { transport, processor, control } = setup(10, { packValues: false });
    await processor.process('t', 0, [0, 1].map((i) => msg(i, { algorithm_name: 'a', duration_milliseconds: i })), control);
    expect(transport.sent.join('\n').split('\n')).toEqual(['algorithmia.duration_milliseconds:0|d|#algorithm_name:a', 'algorithmia.duration_milliseconds:1|d|#algorithm_name:a']);
  });

  it('stops at a failed send without resolving that chunk or anything after it', async () => {
    const { transport, processor, resolved, control, telemetry } = setup(2);
    const messages = [0, 1, 2, 3, 4].map((i) => msg(i, { algorithm_name: 'a', duration_milliseconds: i }));
    await processor.process('t', 0, messages.slice(0, 2), control);
    transport.failNext = 1;
    const out = await processor.process('t', 0, messages.slice(2), control);
    expect(out.ok).toBe(false);
    expect(out.lastResolved).toBeUndefined();
    expect(resolved).toEqual(['1']);
    expect(telemetry.totals.sendErrors).toBe(1);
    expect(telemetry.totals.consumed).toBe(2);
  });

  it('rejects bad messages without stopping the batch, and still resolves past them', async () => {
    const { processor, resolved, control, telemetry } = setup(10);
    const out = await processor.process('t', 0, [msg(0, 'nope'), msg(1, [1]), msg(2, { algorithm_name: 'a', x: 1 })], control);
    expect(out.ok).toBe(true);
    expect(resolved).toEqual(['2']);
    expect(telemetry.totals.rejected).toMatchObject({ invalid_json: 1, not_object: 1 });
    expect(telemetry.totals.emitted).toBe(1);
  });

  it('sums stamped counts of one series and second, and keeps the last stamped gauge', async () => {
    const { transport, processor, control } = setup(10, { useMessageTime: true, types: { c: 'count', g: 'gauge' } });
    const t = '2026-11-25T11:59:00';
    await processor.process('t', 0, [msg(0, { algorithm_name: 'a', time: t, c: 1, g: 5 }), msg(1, { algorithm_name: 'a', time: t, c: 2, g: 7 })], control);
    const ts = Date.UTC(2026, 10, 25, 11, 59, 0) / 1000;
    expect(transport.sent.join('\n').split('\n').sort()).toEqual([`algorithmia.c:3|c|#algorithm_name:a|T${ts}`, `algorithmia.g:7|g|#algorithm_name:a|T${ts}`]);
  });

  it.each([true, false])('drops and counts a line that cannot fit in one datagram (packing %s)', async (packValues) => {
    const { processor, control, telemetry } = setup(10, { maxDatagramBytes: 512, packValues });
    await processor.process('t', 0, [msg(0, { algorithm_name: 'n'.repeat(180), algorithm_owner: 'o'.repeat(180), algorithm_version: 'v'.repeat(180), x: 1 })], control);
    expect(telemetry.totals.dropped.too_long).toBe(1);
    expect(telemetry.totals.emitted).toBe(0);
  });
});
