/**
 * (b) The check process end to end: from the preloaded topic into a UDP or Unix datagram
 * listener. Completion: the group's committed offsets reach the high watermarks, then SIGTERM.
 */
import { rmSync } from 'node:fs';
import type { Admin } from 'kafkajs';
import { logSummary, startDaemon, targetName, threadProfiles, type CheckBuild, type CheckTarget } from '../daemon';
import { ListenerProcess } from '../listener';
import { brokerCpuSeconds, udpRcvbufErrors } from '../machine';
import { sampleProcess, type ProcSample } from '../procStats';
import type { ScenarioResult } from '../results';
import { committedSum, profileOf, round, sleep, stopChild } from '../util';

/** The throughput targets (the unpacked row only when the build knows pack_values). */
export function checkTargets(withUnpacked: boolean, only: 'udp' | 'uds' | undefined): CheckTarget[] {
  return (
    [
      { name: 'udp-8192', protocol: 'udp', maxDatagramBytes: 8192 },
      { name: 'udp-1432', protocol: 'udp' },
      { name: 'uds-8192', protocol: 'uds' },
      // the same without DogStatsD 1.1 value packing, for comparison
      ...(withUnpacked ? [{ name: 'udp-8192-unpacked', protocol: 'udp', maxDatagramBytes: 8192, packValues: false }] : []),
    ] as CheckTarget[]
  ).filter((t) => !only || t.protocol === only);
}

/** The profile file name of a target (`check-<target>[-baseline].cpuprofile`). */
export function checkProfileName(build: CheckBuild, target: CheckTarget): string {
  return `check-${target.name}${build.label ? '-baseline' : ''}.cpuprofile`;
}

export async function checkEndToEnd(
  build: CheckBuild,
  bootstrap: string,
  topic: string,
  n: number,
  expectedLines: number,
  target: CheckTarget,
  cpuProf: string | undefined,
  admin: Admin,
): Promise<ScenarioResult> {
  const listener = await ListenerProcess.start(target.protocol);
  listener.send({ cmd: 'reset', latency: false });
  const group = `bench-check-${target.name}${build.label ? '-baseline' : ''}-${Date.now()}`;
  const profileName = checkProfileName(build, target);
  const rcvbufBefore = udpRcvbufErrors();
  const brokerCpuBefore = brokerCpuSeconds();
  const spawned = Date.now();
  const daemon = startDaemon(build, { bootstrap, topic, group, url: listener.url, maxDatagramBytes: target.maxDatagramBytes, packValues: target.packValues, cpuProf, profileName });
  const timeoutMs = Math.max(600_000, n * 3);
  let completedAt = 0;
  let sample: ProcSample | undefined;
  let failure: string | undefined;
  let committed = 0;
  let brokerCpu = NaN;
  let lastProgressAt = Date.now();
  const stallMs = 60_000;
  try {
    for (;;) {
      if (daemon.proc.exitCode !== null || daemon.proc.signalCode !== null) {
        failure = `check process exited early (code ${daemon.proc.exitCode}, signal ${daemon.proc.signalCode})`;
        break;
      }
      if (Date.now() - spawned > timeoutMs) {
        failure = `not complete within ${timeoutMs / 1000} s (${committed} of ${n} committed)`;
        break;
      }
      const before = committed;
      committed = await committedSum(admin, group, topic).catch(() => committed);
      if (committed >= n) {
        completedAt = Date.now();
        break;
      }
      if (committed > before) lastProgressAt = Date.now();
      else if (committed > 0 && Date.now() - lastProgressAt > stallMs) {
        failure = `committed offsets stalled at ${committed} of ${n} for ${stallMs / 1000} s`;
        break;
      }
      await sleep(200);
    }
    sample = sampleProcess(daemon.proc.pid as number);
    brokerCpu = brokerCpuSeconds() - brokerCpuBefore;
  } finally {
    await stopChild(daemon.proc, 'SIGTERM', 40_000);
    rmSync(daemon.confDir, { recursive: true, force: true });
  }
  await sleep(500); // the final telemetry report is sent during the stop
  const stats = await listener.stats();
  const listenerCpu = listener.sample();
  await listener.close();
  const encoderProfile = threadProfiles(daemon);
  const rcvbufErrors = udpRcvbufErrors() - rcvbufBefore;
  const logs = logSummary(daemon.stderr());
  const tc = stats.telemetryCounts;
  const emitted = tc['algorithmia.forwarder.metrics.emitted'] ?? 0;
  const active = stats.firstMetricAt && stats.lastMetricAt ? (stats.lastMetricAt - stats.firstMetricAt) / 1000 : NaN;
  const wall = completedAt ? (completedAt - spawned) / 1000 : NaN;
  const cpu = sample?.cpuSeconds ?? NaN;
  const dropped = Object.entries(tc).filter(([k]) => k.startsWith('algorithmia.forwarder.values.dropped'));
  const name = `check -> ${targetName(target)}${target.maxDatagramBytes === undefined ? ' (default)' : ''}${build.label}`;
  return {
    scenario: name,
    kind: 'check',
    ok: failure === undefined,
    note: failure,
    target: { protocol: target.protocol, maxDatagramBytes: target.maxDatagramBytes ?? 'default', packValues: target.packValues ?? 'default' },
    ...(build.label ? { build: { cli: build.cli, gitCommit: build.gitCommit, baseline: true } } : {}),
    messages: n,
    wallSeconds: round(wall, 2),
    activeSeconds: round(active, 2),
    messagesPerSecond: Math.round(n / active),
    messagesPerSecondWall: Math.round(n / wall),
    metricsPerSecond: Math.round(stats.metricValues / active),
    datagramsPerSecond: Math.round(stats.metricDatagrams / active),
    cpuSeconds: round(cpu, 2),
    cpuSecondsPerMillion: round((cpu / n) * 1e6, 2),
    cpuUtilisation: round(cpu / active, 2),
    peakRssMb: round(sample?.peakRssMb ?? NaN, 1),
    startupSeconds: stats.firstMetricAt ? round((stats.firstMetricAt - spawned) / 1000, 2) : NaN,
    brokerCpuSeconds: round(brokerCpu, 2),
    completionAfterLastDatagramSeconds: completedAt && stats.lastMetricAt ? round((completedAt - stats.lastMetricAt) / 1000, 2) : NaN,
    listener: {
      metricValues: stats.metricValues,
      metricLines: stats.metricLines,
      valuesPerLine: round(stats.metricValues / Math.max(1, stats.metricLines), 2),
      metricDatagrams: stats.metricDatagrams,
      metricMiB: round(stats.metricBytes / 2 ** 20, 1),
      avgDatagramBytes: Math.round(stats.metricBytes / Math.max(1, stats.metricDatagrams)),
      telemetryDatagrams: stats.telemetryDatagrams,
      cpuSeconds: round(listenerCpu?.cpuSeconds ?? NaN, 2),
      recvBufferBytes: stats.recvBufferBytes,
    },
    accounting: {
      expectedMetricLines: expectedLines,
      emittedPerTelemetry: emitted,
      receivedMetricValues: stats.metricValues,
      lostByListener: Math.max(0, emitted - stats.metricValues),
      lostByListenerPct: round((Math.max(0, emitted - stats.metricValues) / Math.max(1, emitted)) * 100, 3),
      /** Values received more than once: datagrams of a chunk whose send failed partway are sent again (at-least-once). */
      duplicatesFromResends: Math.max(0, stats.metricValues - emitted),
      datagramsSentPerTelemetry: tc['algorithmia.forwarder.dogstatsd.datagrams_sent'] ?? 0,
      sendErrorsPerTelemetry: tc['algorithmia.forwarder.dogstatsd.send_errors'] ?? 0,
      messagesConsumedPerTelemetry: tc['algorithmia.forwarder.messages.consumed'] ?? 0,
      commitsPerTelemetry: tc['algorithmia.forwarder.offsets.committed'] ?? 0,
      valuesDropped: Object.fromEntries(dropped),
      udpRcvbufErrorsDelta: target.protocol === 'udp' ? rcvbufErrors : undefined,
    },
    log: logs,
    cpuProfile: daemon.profileName,
    encoderProfile: encoderProfile,
    profile: profileOf(daemon.profileName),
    encoderThreadProfile: profileOf(encoderProfile),
  };
}
