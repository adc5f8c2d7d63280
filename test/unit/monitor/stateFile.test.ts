/**
 * The monitoring state file: one section per signal; the state round trip (drift and field
 * health report the same after it); a format 1 file (the previous release's drift snapshot)
 * loads as the drift section; a bad file is refused with its reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriftTracker } from '../../../src/drift';
import { silentLogger } from '../../../src/log/logger';
import { Monitor, type MonitorOptions, STATE_FORMAT } from '../../../src/monitor';
import { readState, writeState } from '../../../src/monitor/stateFile';
import { readMonitorState } from '../../../src/runtime/monitorStateFile';
import { ForwarderTelemetry } from '../../../src/telemetry/forwarderTelemetry';
import { HOUR, observations, spread, T0 } from './helpers';

const OPTS: MonitorOptions = { psi: true, fieldHealth: true, baselines: ['trailing', 'previous_version'], minSamples: 20, maxSeries: 1000 };
const WALL = T0 + 27 * HOUR;

function busyMonitor(opts = OPTS): Monitor {
  const m = new Monitor(opts);
  const pick = (i: number) => ({ x: i % 7 === 0 ? ('null' as const) : ('usable' as const), y: i % 3 === 0 ? ('absent' as const) : ('usable' as const), z: 'usable' as const });
  m.apply(observations([...spread('1', T0, T0 + 27 * HOUR, 27 * 60, pick), ...spread('2', T0 + HOUR, T0 + 27 * HOUR, 26 * 60, pick)]));
  return m;
}

describe('the monitoring state', () => {
  it('round trip: the same bytes again, and the same scores and gauges', () => {
    const original = busyMonitor();
    const bytes = original.snapshot();
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(STATE_FORMAT);
    const restored = Monitor.restore(bytes, OPTS);
    expect(restored.ok).toBe(true);
    if (!restored.ok) return;
    expect(Buffer.from(restored.monitor.snapshot()).equals(Buffer.from(bytes))).toBe(true);
    const [a, b] = [original.report(WALL), restored.monitor.report(WALL)];
    expect(a.health?.gauges.length).toBeGreaterThan(4);
    expect(a.scores.length).toBeGreaterThan(4);
    expect(b.scores).toEqual(a.scores);
    expect(b.health?.gauges).toEqual(a.health?.gauges);
    expect(b.trackedSeries).toBe(a.trackedSeries);
    // the 2 h tail goes over too: the state after a report (its last-above times) round trips
    const after = original.snapshot();
    const again = Monitor.restore(after, OPTS);
    expect(again.ok && Buffer.from(again.monitor.snapshot()).equals(Buffer.from(after))).toBe(true);
    expect(Buffer.from(after).equals(Buffer.from(bytes))).toBe(false);
  });

  it('a format 1 file (drift alone, the previous release) loads as the drift section', () => {
    const tracker = new DriftTracker(OPTS);
    for (let i = 0; i < 2000; i++) tracker.observe('algo', '1', 'owner', T0 + 26 * HOUR + i * 1000, 'x', Math.sin(i));
    for (let i = 0; i < 2000; i++) tracker.observe('algo', '1', 'owner', T0 + 10 * HOUR + i * 1000, 'x', Math.cos(i) * 2);
    const v1 = tracker.snapshot();
    const restored = Monitor.restore(v1, OPTS);
    expect(restored.ok).toBe(true);
    if (!restored.ok) return;
    expect(Buffer.from(restored.monitor.drift?.snapshot() ?? []).equals(Buffer.from(v1))).toBe(true);
    const report = restored.monitor.report(WALL);
    expect(report.scores.length).toBe(1);
    expect(report.scores).toEqual(tracker.report(WALL));
    // what it writes next is the sectioned format, and loads
    expect(Monitor.restore(restored.monitor.snapshot(), OPTS).ok).toBe(true);
  });

  it('drift section only when field health is off; a section of a signal that is off is let go', () => {
    const m = busyMonitor({ ...OPTS, fieldHealth: false });
    const state = readState(m.snapshot());
    expect(state.ok && [...state.sections.keys()]).toEqual(['drift']);
    const both = readState(busyMonitor().snapshot());
    expect(both.ok && [...both.sections.keys()]).toEqual(['drift', 'field_health']);
    const healthOnly = Monitor.restore(busyMonitor().snapshot(), { ...OPTS, psi: false });
    expect(healthOnly.ok && healthOnly.monitor.drift).toBeUndefined();
    expect(healthOnly.ok && healthOnly.monitor.health?.series).toBe(6);
  });

  it('a section this release does not know (a later signal) is ignored', () => {
    const state = readState(busyMonitor().snapshot());
    if (!state.ok) throw new Error('unreadable');
    state.sections.set('a_later_signal', new Uint8Array([1, 2, 3]));
    const restored = Monitor.restore(writeState(state.sections), OPTS);
    expect(restored.ok).toBe(true);
  });

  it.each([
    ['truncated', 'truncated', (b: Uint8Array) => b.subarray(0, b.length - 7)],
    ['a flipped byte', 'corrupt', (b: Uint8Array) => Buffer.from(b).fill(0x41, 40, 44)],
    ['of an unknown format', 'unknown_version', (b: Uint8Array) => Buffer.from(b).fill(0x7f, 4, 5)],
    ['empty', 'truncated', () => new Uint8Array(0)],
    ['another magic', 'corrupt', (b: Uint8Array) => Buffer.from(b).fill(0x41, 0, 1)],
    ['trailing bytes', 'corrupt', (b: Uint8Array) => Buffer.concat([b, Buffer.from([0])])],
    // one version, empty name, version and owner, newest NaN: inconsistent, though whole
    ['a field health section with a valid checksum but nonsense inside', 'corrupt', () => writeState(new Map([['field_health', Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.alloc(12), Buffer.from(new Float64Array([NaN, 0]).buffer)])]]))],
    ['a field health section cut short', 'truncated', () => writeState(new Map([['field_health', new Uint8Array([1, 0, 0, 0, 4, 0])]]))],
  ])('%s: refused (%s)', (_name, reason, spoil) => {
    expect(Monitor.restore(spoil(busyMonitor().snapshot()), OPTS)).toEqual({ ok: false, reason });
  });

  it('the state file is read as before: a good file whole, a bad one ignored and counted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aik-monitor-'));
    try {
      const good = join(dir, 'good.state');
      const bytes = busyMonitor().snapshot();
      writeFileSync(good, bytes);
      const telemetry = new ForwarderTelemetry('topic:t');
      expect(Buffer.from(readMonitorState(good, OPTS, silentLogger, telemetry) ?? []).equals(Buffer.from(bytes))).toBe(true);
      const bad = join(dir, 'bad.state');
      writeFileSync(bad, bytes.subarray(0, 100));
      expect(readMonitorState(bad, OPTS, silentLogger, telemetry)).toBeUndefined();
      expect(telemetry.drainLines().filter((l) => l.startsWith('algorithmia.forwarder.errors:'))).toEqual([
        'algorithmia.forwarder.errors:1|c|#topic:t,stage:drift_state,error_code:drift_state_unreadable',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
