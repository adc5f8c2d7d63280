/**
 * `npm run bench [-- --messages N --partitions P --skip-latency --only udp|uds --cpu-prof DIR --out FILE
 *   --codec C --fields N --key-order fixed|varying --baseline-cli PATH ...]` (bench/args.ts has them all)
 *
 * Throughput and latency benchmark of the check process against a real local Kafka broker and
 * real DogStatsD sockets. Prints numbers; asserts nothing about time.
 *
 * 1. Preloads one topic with N realistic Insights messages (bench/preload.ts, deterministic generator).
 * 2. (a) raw drain: a plain kafkajs consumer group with a no-op eachBatch (and kcat -C -e when
 *    installed), in a child process (bench/scenarios/drain.ts).
 *    (b) the check process (`node dist/src/cli.js run -c conf.yaml`) end to end into a UDP
 *    listener (8192-byte and default 1432-byte datagrams) and a Unix datagram listener
 *    (bench/scenarios/check.ts); with --baseline-cli, the other build too, the two in turn
 *    first (alternating by round: whichever runs first in a round measures slower).
 * 3. (c) latency at a steady rate (default 2,000 msg/s for 20 s): produce time -> datagram arrival
 *    (bench/scenarios/latency.ts).
 * (a) and (b) run `--rounds` times (default 3), interleaved; the table shows the median round of
 * each and the range, because one drain run on a 2-core machine varies by a third.
 * Output: a table on stdout and a JSON file (default bench/results/<timestamp>.json), bench/report.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KafkaBroker } from '../scripts/kafka/broker';
import { parseArgs } from './args';
import { checkBuild, OWN_CLI, targetName, type CheckBuild, type CheckTarget } from './daemon';
import { machineInfo, setBrokerWorkDir } from './machine';
import { preload, type Workload } from './preload';
import { medianRound, ratiosByRound, renderReport, workloadLine } from './report';
import type { LatencyResult, ScenarioResult, Unavailable } from './results';
import { checkEndToEnd, checkTargets } from './scenarios/check';
import { kcatDrain, rawDrain } from './scenarios/drain';
import { latency, type LatencySubject } from './scenarios/latency';
import { benchKafka, killAllChildren, round, say } from './util';

let broker: KafkaBroker | undefined;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const machine = machineInfo();
  const own = checkBuild(OWN_CLI, '', args.instanceConfig, args.launch);
  const baseline = args.baselineCli ? checkBuild(args.baselineCli, ' (baseline)', args.instanceConfig, args.launch) : undefined;
  const builds: CheckBuild[] = baseline ? [own, baseline] : [own];
  const workload: Workload = { seed: args.seed, codec: args.codec, fields: args.fields, keyOrder: args.keyOrder };
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    args,
    machine,
  };
  if (baseline) results.baseline = { cli: baseline.cli, gitCommit: baseline.gitCommit, checkHasPackValues: baseline.packValues };
  if (args.cpuProf) mkdirSync(args.cpuProf, { recursive: true });
  say(`machine: ${machine.nproc} cores, node ${machine.node}, commit ${String(machine.gitCommit).slice(0, 10)}${machine.gitDirtyFiles ? ` (+${machine.gitDirtyFiles} modified files)` : ''}`);
  if (baseline) say(`baseline: ${baseline.cli}, commit ${baseline.gitCommit.slice(0, 10)}`);
  say('starting a local Kafka broker...');
  const brokerStarted = Date.now();
  broker = await KafkaBroker.start({
    properties: {
      'num.io.threads': 4,
      'num.network.threads': 3,
      'log.segment.bytes': 256 * 1024 * 1024,
      'num.partitions': args.partitions,
    },
  });
  setBrokerWorkDir(broker.workDir);
  results.broker = { bootstrap: broker.bootstrap, startSeconds: round((Date.now() - brokerStarted) / 1000, 1), kafkaVersion: broker.version, heap: '-Xmx512m' };
  say(`broker ready at ${broker.bootstrap}`);

  const topic = `bench-insights-${Date.now()}`;
  say(`preloading ${args.messages.toLocaleString('en-US')} messages into ${args.partitions} partitions...`);
  const pre = await preload(broker.bootstrap, topic, args.messages, args.partitions, workload);
  results.preload = pre;
  results.workload = { avgMessageBytes: pre.avgMessageBytes, metricsPerMessage: pre.metricsPerMessage, fields: args.fields ?? 'default', codec: args.codec, keyOrder: args.keyOrder, topicMiBOnDisk: pre.topicMiBOnDisk };
  say(
    `preload: ${pre.seconds} s (${pre.messagesPerSecond.toLocaleString('en-US')} msg/s), avg message ${pre.avgMessageBytes} B ` +
      `(min ${pre.minMessageBytes}, max ${pre.maxMessageBytes}), ${pre.totalMiB} MiB, ${pre.metricsPerMessage} metrics per message`,
  );
  say(`workload: ${workloadLine(args, pre)}`);

  results.checkHasPackValues = own.packValues;
  const targets = checkTargets(own.packValues, args.only);
  /** The builds that run a target: a baseline without pack_values cannot run the unpacked row. */
  const buildsFor = (t: CheckTarget) => builds.filter((b) => t.packValues === undefined || b.packValues);
  const key = (b: CheckBuild, t: CheckTarget) => `${t.name}${b.label}`;

  // Round-robin rounds: the drain rate of one run varies by a third on this kind of machine
  // (the broker shares its 2 cores), so every scenario runs `rounds` times, interleaved, and
  // the table compares medians. CPU profiles are taken in the first round only.
  const drains: ScenarioResult[] = [];
  const checks = new Map<string, ScenarioResult[]>();
  let kcat: ScenarioResult | Unavailable | undefined;
  const admin = benchKafka(broker.bootstrap, 'bench-admin').admin();
  await admin.connect();
  try {
    for (let round = 0; round < args.rounds; round++) {
      const prof = round === 0 ? args.cpuProf : undefined;
      const of = args.rounds > 1 ? ` (round ${round + 1} of ${args.rounds})` : '';
      say(`(a) raw drain: kafkajs consumer group, no-op eachBatch${of}...`);
      const drain = await rawDrain(broker.bootstrap, topic, args.messages, prof, args.codec !== 'none');
      drains.push(drain);
      say(`    ${drain.messagesPerSecond.toLocaleString('en-US')} msg/s`);
      if (round === 0) {
        kcat = await kcatDrain(broker.bootstrap, topic, args.messages);
        if ('available' in kcat) say(`    ${kcat.note}`);
      }
      for (const t of targets) {
        // The build that runs first in a round measures slower (an A/A run showed it): alternate.
        const order = round % 2 === 0 ? buildsFor(t) : [...buildsFor(t)].reverse();
        for (const b of order) {
          say(`(b) check process${b.label} end to end -> ${targetName(t)}${t.maxDatagramBytes ? '' : ' (default datagram size)'}${of}...`);
          const r = await checkEndToEnd(b, broker.bootstrap, topic, args.messages, pre.expectedMetricLines, t, prof, admin);
          checks.set(key(b, t), [...(checks.get(key(b, t)) ?? []), r]);
          const acc = r.accounting as Record<string, number>;
          say(
            `    ${r.ok ? '' : `FAILED (${r.note}) `}${r.messagesPerSecond.toLocaleString('en-US')} msg/s, ${r.metricsPerSecond?.toLocaleString('en-US')} metrics/s, ` +
              `CPU ${r.cpuSeconds} s, peak RSS ${r.peakRssMb} MB; values emitted ${acc.emittedPerTelemetry}, received ${acc.receivedMetricValues}, send errors ${acc.sendErrorsPerTelemetry}`,
          );
        }
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const drain = medianRound(drains);
  const rows: ScenarioResult[] = [drain];
  if (kcat && !('available' in kcat)) rows.push(kcat);
  results.kcat = !kcat || 'available' in kcat ? kcat : { available: true };
  for (const t of targets) {
    for (const b of buildsFor(t)) {
      const runs = checks.get(key(b, t)) ?? [];
      const r = medianRound(runs);
      r.ratioToKafkajsDrain = round(r.messagesPerSecond / drain.messagesPerSecond, 3);
      r.ratioByRound = ratiosByRound(runs, drains).map((x) => round(x, 3));
      rows.push(r);
    }
  }
  results.throughput = rows;

  const lat: LatencyResult[] = [];
  if (!args.skipLatency) {
    const latencyTargets = ([{ name: 'udp-1432', protocol: 'udp' }, { name: 'uds-8192', protocol: 'uds' }] as CheckTarget[]).filter((t) => !args.only || t.protocol === args.only);
    const subjects: LatencySubject[] = [{ kind: 'kafkajs' }, ...latencyTargets.flatMap((target) => builds.map((build): LatencySubject => ({ kind: 'check', target, build })))];
    for (const subj of subjects) {
      say(`(c) latency at ${args.latencyRate} msg/s for ${args.latencySeconds} s -> ${subj.kind === 'check' ? `check${subj.build.label}, ${targetName(subj.target)}` : 'kafkajs plain consumer (reference)'}...`);
      const r = await latency(broker.bootstrap, args.partitions, subj, args.latencyRate, args.latencySeconds, workload);
      lat.push(r);
      say(`    p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms (${r.measured} samples)`);
    }
  }
  results.latency = lat;
  results.finishedAt = new Date().toISOString();

  const check = rows.filter((r) => r.kind === 'check');
  results.targets = {
    throughputAtLeastHalfOfDrain: check.map((r) => ({ scenario: r.scenario, ratio: r.ratioToKafkajsDrain, met: (r.ratioToKafkajsDrain ?? 0) >= 0.5 })),
    peakRssUnder200Mb: check.map((r) => ({ scenario: r.scenario, peakRssMb: r.peakRssMb, met: r.peakRssMb < 200 })),
    p99Under100Ms: lat.map((l) => ({ scenario: l.scenario, p99Ms: l.p99Ms, met: l.p99Ms < 100 })),
    note: 'Reported, not asserted.',
  };

  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');

  const profiled = [drains[0], ...targets.flatMap((t) => buildsFor(t).map((b) => (checks.get(key(b, t)) ?? [])[0]))].filter((r): r is ScenarioResult => r !== undefined);
  process.stdout.write(renderReport({ args, machine, pre, rows, drain, kcat, lat, baseline, profiled }));
  return rows.every((r) => r.ok) && lat.every((l) => l.ok) ? 0 : 1;
}

async function cleanup(): Promise<void> {
  killAllChildren();
  const b = broker;
  broker = undefined;
  setBrokerWorkDir(undefined);
  await b?.destroy().catch((err: Error) => say(`broker stop failed: ${err.message}`));
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`${signal}: stopping the children and the broker...`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanup();
    process.exitCode = code;
  })
  .catch(async (err: Error) => {
    say(`failed: ${err.stack ?? err.message}`);
    await cleanup();
    process.exitCode = 1;
  });
