/** The output: one row per scenario from its rounds (medians), the table, the text report. */
import type { BenchArgs } from './args';
import type { CheckBuild } from './daemon';
import type { PreloadResult } from './preload';
import { formatSummary, type ProfileSummary } from './profileSummary';
import type { LatencyResult, ScenarioResult, Unavailable } from './results';

/**
 * One row for several rounds of a scenario: the round with the median rate (so that its
 * figures belong together), with the range of rates and the highest peak RSS of all rounds.
 */
export function medianRound(runs: ScenarioResult[]): ScenarioResult {
  if (runs.length === 0) throw new Error('no rounds');
  const byRate = [...runs].sort((a, b) => a.messagesPerSecond - b.messagesPerSecond);
  const median = byRate[Math.floor((byRate.length - 1) / 2)];
  return {
    ...median,
    ok: runs.every((r) => r.ok),
    note: runs.map((r) => r.note).filter(Boolean).join('; ') || undefined,
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    messagesPerSecondRange: [byRate[0].messagesPerSecond, byRate[byRate.length - 1].messagesPerSecond],
    rounds: runs.map(({ messagesPerSecond, cpuSecondsPerMillion, peakRssMb, ok }) => ({ messagesPerSecond, cpuSecondsPerMillion, peakRssMb, ok })),
  };
}

/**
 * Each round's check rate over the drain rate of the same round (both lists in round order).
 * Machine speed drifts between rounds; a round's check and drain run minutes apart at most.
 */
export function ratiosByRound(check: readonly ScenarioResult[], drains: readonly ScenarioResult[]): number[] {
  const n = Math.min(check.length, drains.length);
  return check.slice(0, n).map((r, i) => r.messagesPerSecond / drains[i].messagesPerSecond);
}

export function fmt(v: unknown, digits = 0): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '-';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function table(rows: Array<Partial<ScenarioResult> & { scenario: string }>): string {
  // 36 wide as always; wider only for longer names (the baseline rows)
  const nameWidth = Math.max(36, ...rows.map((r) => r.scenario.length));
  const cols: Array<[string, (r: Partial<ScenarioResult>) => string, number]> = [
    ['scenario', (r) => String(r.scenario), nameWidth],
    ['msgs/s', (r) => fmt(r.messagesPerSecond), 9],
    ['metrics/s', (r) => fmt(r.metricsPerSecond), 10],
    ['dgrams/s', (r) => fmt(r.datagramsPerSecond), 9],
    ['CPU s/1M', (r) => fmt(r.cpuSecondsPerMillion, 1), 9],
    ['CPU util', (r) => fmt(r.cpuUtilisation, 2), 8],
    ['peak RSS MB', (r) => fmt(r.peakRssMb, 1), 11],
    ['vs drain', (r) => (r.ratioToKafkajsDrain === undefined ? '-' : `${fmt(r.ratioToKafkajsDrain * 100, 1)}%`), 8],
    ['msgs/s range', (r) => (Array.isArray(r.messagesPerSecondRange) && r.messagesPerSecondRange.length === 2 ? `${fmt(r.messagesPerSecondRange[0] / 1000)}k-${fmt(r.messagesPerSecondRange[1] / 1000)}k` : '-'), 12],
    ['wall s', (r) => fmt(r.wallSeconds, 1), 7],
  ];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(cols[i][2]) : c.padStart(cols[i][2]))).join('  ');
  const out = [line(cols.map((c) => c[0])), line(cols.map((c) => '-'.repeat(c[2])))];
  for (const r of rows) out.push(line(cols.map((c) => c[1](r))));
  return out.join('\n');
}

/** The workload in a few words: size, fields, codec, key order (the table header and the log). */
export function workloadLine(args: BenchArgs, pre: PreloadResult): string {
  const fields = `${pre.metricsPerMessage} metrics/message${args.fields === undefined ? '' : ` (--fields ${args.fields})`}`;
  const disk = args.codec === 'none' ? '' : `, ${pre.topicMiBOnDisk} MiB on disk for ${pre.totalMiB} MiB of messages`;
  return `avg ${pre.avgMessageBytes} B/message, ${fields}, codec ${args.codec}${disk}, key order ${args.keyOrder}`;
}

export interface ReportInput {
  args: BenchArgs;
  machine: Record<string, unknown>;
  pre: PreloadResult;
  rows: ScenarioResult[];
  drain: ScenarioResult;
  kcat: ScenarioResult | Unavailable | undefined;
  lat: LatencyResult[];
  baseline?: CheckBuild;
  /** The first round's runs (those with CPU profiles). */
  profiled: ScenarioResult[];
}

export function renderReport(r: ReportInput): string {
  const { args, machine, pre, rows, drain, kcat, lat } = r;
  const check = rows.filter((x) => x.kind === 'check');
  const out: string[] = [];
  out.push('');
  out.push(`Algorithmia Insights check benchmark: ${args.messages.toLocaleString('en-US')} messages, ${args.partitions} partitions, ` +
    `${workloadLine(args, pre)}; ${machine.nproc} cores, node ${machine.node}, broker on the same host`);
  out.push(`preload: ${pre.seconds} s (${pre.messagesPerSecond.toLocaleString('en-US')} msg/s)`);
  if (Object.keys(args.instanceConfig).length > 0) out.push(`check instance config added: ${JSON.stringify(args.instanceConfig)}`);
  if (r.baseline) out.push(`(baseline) rows: ${r.baseline.cli} (commit ${r.baseline.gitCommit.slice(0, 10)}), interleaved with this tree's build (commit ${String(machine.gitCommit).slice(0, 10)})`);
  out.push('');
  out.push(table(rows));
  if (kcat && 'available' in kcat) out.push(`(${kcat.note})`);
  if (args.rounds > 1) out.push(`Each row: the median of ${args.rounds} interleaved rounds by msgs/s (range: slowest-fastest round); peak RSS: the highest of the rounds. vs drain: median / median.`);
  out.push('msgs/s, metrics/s, dgrams/s: over the active window (first to last datagram; first to last batch for the drain). CPU util: CPU s / active s.');
  for (const c of check) {
    const a = c.accounting as Record<string, unknown>;
    out.push(
      `  ${c.scenario}: values emitted ${a.emittedPerTelemetry} (expected ${a.expectedMetricLines}), received ${a.receivedMetricValues}, lost by listener ${a.lostByListener} (${a.lostByListenerPct}%)` +
        `${a.duplicatesFromResends ? `, re-sent duplicates ${a.duplicatesFromResends}` : ''}, send errors ${a.sendErrorsPerTelemetry}` +
        `${a.udpRcvbufErrorsDelta !== undefined ? `, UDP RcvbufErrors +${a.udpRcvbufErrorsDelta}` : ''}${c.ok ? '' : `  FAILED: ${c.note}`}`,
    );
    const l = c.listener as Record<string, number>;
    out.push(
      `    CPU s during the run: check ${c.cpuSeconds}, broker ${c.brokerCpuSeconds}, listener ${l.cpuSeconds}; ` +
        `avg datagram ${l.avgDatagramBytes} B, ${l.valuesPerLine} values per line`,
    );
    if (c.ratioByRound && c.ratioByRound.length > 1) {
      const sorted = [...c.ratioByRound].sort((a, b) => a - b);
      out.push(`    vs drain round by round: ${c.ratioByRound.map((x) => `${fmt(x * 100, 1)}%`).join(', ')} (median ${fmt(sorted[(sorted.length - 1) >> 1] * 100, 1)}%)`);
    }
    const peaks = (c.log as { memoryPeaks?: Record<string, number> } | undefined)?.memoryPeaks;
    if (peaks) out.push(`    memory peaks the check logged at stop (MB): ${Object.entries(peaks).map(([k, v]) => `${k.replace(/_peak_mb$/, '')} ${v}`).join(', ')}`);
  }
  out.push(`  (kafkajs drain: CPU s ${drain.cpuSeconds}, broker ${drain.brokerCpuSeconds})`);
  const uds = check.find((c) => c.target && (c.target as { protocol: string }).protocol === 'uds');
  if (uds && Number((uds.accounting as Record<string, number>).sendErrorsPerTelemetry) > 0) {
    out.push(
      `  UDS: net.unix.max_dgram_qlen is ${machine.unixMaxDgramQlen}: when the reader falls behind, writes fail with EAGAIN (unix-dgram "congestion"); ` +
        `hot-shots retries, then the chunk fails, its partition pauses and the chunk is re-sent (the duplicates above).`,
    );
  }
  if (lat.length > 0) {
    const w = Math.max(50, ...lat.map((l) => l.scenario.length));
    out.push('');
    out.push(`Latency, produce -> datagram arrival (first 2 s skipped):`);
    out.push(`${'scenario'.padEnd(w)} ${'samples'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'CPU util'.padStart(8)} ${'CPU s/1M'.padStart(8)} ${'idle RSS'.padStart(8)} ${'RSS'.padStart(6)}`);
    for (const l of lat) {
      const mem = `${fmt(l.steadyCpuSPerM, 1).padStart(8)} ${fmt(l.idleRssMb, 1).padStart(8)} ${fmt(l.steadyRssMb, 1).padStart(6)}`;
      out.push(`${l.scenario.padEnd(w)} ${String(l.measured).padStart(8)} ${fmt(l.p50Ms).padStart(7)} ${fmt(l.p90Ms).padStart(7)} ${fmt(l.p99Ms).padStart(7)} ${fmt(l.maxMs).padStart(7)} ${fmt(l.checkCpuUtilisation, 2).padStart(8)} ${mem}${l.ok ? '' : `  INCOMPLETE: ${l.note ?? `${l.received}/${l.produced} received`}`}`);
    }
    out.push(`CPU s/1M: CPU seconds per million messages while producing; idle RSS: MB once joined, before producing; RSS: MB once the traffic has arrived.`);
  }
  out.push('');
  out.push(`JSON: ${args.out}`);
  if (args.cpuProf) {
    out.push(`CPU profiles: ${args.cpuProf} (summarise with: node dist/bench/profileSummary.js FILE.cpuprofile)`);
    for (const p of r.profiled) out.push(...profileSection(p));
  }
  return out.join('\n') + '\n';
}

function profileSection(r: ScenarioResult): string[] {
  const out: string[] = [];
  const short = (s: ProfileSummary) => formatSummary({ ...s, top: s.top.slice(0, 15), areas: s.areas.slice(0, 10), projectInclusive: s.projectInclusive.slice(0, 10) });
  const prof = r.profile as ProfileSummary | undefined;
  if (!prof) return out;
  out.push('', `== CPU profile: ${r.scenario} ==`, short(prof));
  const enc = r.encoderThreadProfile as ProfileSummary | undefined;
  if (enc) out.push('', `== CPU profile: ${r.scenario}, encoder thread ==`, short(enc));
  return out;
}
