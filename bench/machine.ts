/** What the run measures about the host: machine info, the broker JVM's CPU, UDP drops, topic size on disk. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { sampleProcess } from './procStats';
import { git, round } from './util';

export function machineInfo(): Record<string, unknown> {
  const nproc = (() => {
    try {
      return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    } catch {
      return cpus().length;
    }
  })();
  const dirty = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    nproc,
    cpuModel: cpus()[0]?.model,
    totalMemGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: sysctl('/proc/sys/kernel/osrelease'),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirtyFiles: dirty === 'unknown' || dirty === '' ? 0 : dirty.split('\n').length,
    unixMaxDgramQlen: Number(sysctl('/proc/sys/net/unix/max_dgram_qlen')),
    rmemMax: Number(sysctl('/proc/sys/net/core/rmem_max')),
  };
}

function sysctl(p: string): string {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Global UDP receive-buffer overflows (/proc/net/snmp Udp RcvbufErrors): drops at a slow UDP reader. */
export function udpRcvbufErrors(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    return Number(values[names.indexOf('RcvbufErrors')]);
  } catch {
    return NaN;
  }
}

/** The broker's work dir (set once it runs), to find its JVM and its log segments. */
let brokerWorkDir: string | undefined;

export function setBrokerWorkDir(dir: string | undefined): void {
  brokerWorkDir = dir;
}

/** The broker JVM's pid (found by its log dir on the command line), for its CPU time. */
function brokerPid(): number | undefined {
  if (!brokerWorkDir) return undefined;
  const r = spawnSync('pgrep', ['-f', '--', `-Dkafka.logs.dir=${brokerWorkDir}`], { encoding: 'utf8' });
  for (const line of r.stdout.trim().split('\n')) {
    const pid = Number(line);
    if (pid > 0 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'java') return pid;
  }
  return undefined;
}

export function brokerCpuSeconds(): number {
  const pid = brokerPid();
  return pid ? (sampleProcess(pid)?.cpuSeconds ?? NaN) : NaN;
}

/** Bytes of the topic's log segments on the broker's disk (compressed batches stay compressed there). */
export function topicBytesOnDisk(topic: string): number {
  if (!brokerWorkDir) return NaN;
  const data = join(brokerWorkDir, 'data');
  if (!existsSync(data)) return NaN;
  let total = 0;
  for (const dir of readdirSync(data)) {
    if (!/-\d+$/.test(dir) || dir.slice(0, dir.lastIndexOf('-')) !== topic) continue;
    for (const f of readdirSync(join(data, dir))) if (f.endsWith('.log')) total += statSync(join(data, dir, f)).size;
  }
  return total;
}
