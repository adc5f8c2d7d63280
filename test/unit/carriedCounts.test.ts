import { CarriedCounts, MAX_CARRIED_SERIES } from '../../src/telemetry/carriedCounts';

describe('counts carried over a telemetry report that reached no one', () => {
  it('carries counts only, and sums them into the next report (or appends them)', () => {
    const c = new CarriedCounts();
    c.carry([
      'algorithmia.forwarder.dogstatsd.send_errors:3|c|#topic:t',
      'algorithmia.forwarder.errors:1|c|#topic:t,stage:send,error_code:sink_send',
      'algorithmia.forwarder.consumer_lag:500|g|#topic:t,partition:0',
      'algorithmia.forwarder.batch.duration:1.5|d|#topic:t',
      '_sc|algorithmia.can_connect|2|#topic:t|m:connection refused to b:9092|c',
    ]);
    expect(c.size).toBe(2);
    expect(
      c.merge(['algorithmia.forwarder.dogstatsd.send_errors:2|c|#topic:t', 'algorithmia.forwarder.consumer_lag:0|g|#topic:t,partition:0', '_sc|algorithmia.can_connect|0|#topic:t']),
    ).toEqual([
      'algorithmia.forwarder.dogstatsd.send_errors:5|c|#topic:t',
      'algorithmia.forwarder.consumer_lag:0|g|#topic:t,partition:0',
      '_sc|algorithmia.can_connect|0|#topic:t',
      'algorithmia.forwarder.errors:1|c|#topic:t,stage:send,error_code:sink_send',
    ]);
    // Once merged, they are gone.
    expect(c.merge(['x:1|c'])).toEqual(['x:1|c']);
  });

  it('keeps summing while reports keep failing; tags tell series apart', () => {
    const c = new CarriedCounts();
    c.carry(['a:1|c|#p:0', 'a:2|c|#p:1']);
    c.carry(c.merge(['a:4|c|#p:0']));
    expect(c.merge([])).toEqual(['a:5|c|#p:0', 'a:2|c|#p:1']);
  });

  it('is bounded', () => {
    const c = new CarriedCounts();
    c.carry(Array.from({ length: MAX_CARRIED_SERIES + 10 }, (_, i) => `n:1|c|#i:${i}`));
    expect(c.size).toBe(MAX_CARRIED_SERIES);
  });
});

describe('TelemetryReporter: an Agent outage', () => {
  it('sends the send errors of the outage once the Agent is back', async () => {
    const { TelemetryReporter } = await import('../../src/telemetry/reporter');
    const { ForwarderTelemetry } = await import('../../src/telemetry/forwarderTelemetry');
    const { HealthState } = await import('../../src/telemetry/health');
    const { LagReader } = await import('../../src/telemetry/lag');
    const { silentLogger } = await import('../../src/log/logger');
    const sent: string[] = [];
    let agentUp = false;
    const transport = {
      lineSuffix: '',
      description: 'fake',
      send: async (datagrams: readonly Buffer[]) => {
        if (!agentUp) return { sent: 0, failed: datagrams.length, error: new Error('send -111') };
        for (const d of datagrams) sent.push(...d.toString().split('\n'));
        return { sent: datagrams.length, failed: 0 };
      },
      close: async () => undefined,
    };
    const telemetry = new ForwarderTelemetry('topic:t');
    const health = new HealthState('t', silentLogger, 60_000, 100);
    const lag = new LagReader({} as never, 't', 'g', telemetry, silentLogger);
    const reporter = new TelemetryReporter(telemetry, health, lag, transport, 8192, 60_000, silentLogger);
    telemetry.datagrams(10, 4);
    await reporter.report(false, 0, false);
    telemetry.datagrams(0, 3);
    await reporter.report(false, 0, false);
    expect(sent).toEqual([]);
    agentUp = true;
    telemetry.datagrams(5, 0);
    await reporter.report(false, 0, false);
    const sum = (name: string) => sent.filter((l) => l.startsWith(`${name}:`)).reduce((n, l) => n + Number(l.split('|')[0].split(':')[1]), 0);
    expect(sum('algorithmia.forwarder.dogstatsd.send_errors')).toBe(7);
    expect(sum('algorithmia.forwarder.dogstatsd.datagrams_sent')).toBe(15);
    // The failed telemetry reports are counted too, and arrive with the rest.
    expect(sent.filter((l) => l.startsWith('algorithmia.forwarder.errors:') && l.includes('stage:telemetry'))).toEqual([expect.stringMatching(/^algorithmia\.forwarder\.errors:2\|c\|/)]);
    reporter.stop();
  });
});
