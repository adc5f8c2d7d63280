/** CPU time and memory of a running process, from /proc (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clkTck: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`), the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicks(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

export interface ProcSample {
  /** utime + stime, seconds. */
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  /** Peak resident set size (VmHWM), MiB. */
  peakRssMb: number;
  /** Current resident set size (VmRSS), MiB. */
  rssMb: number;
  at: number;
}

/** Reads /proc/<pid>/stat and /proc/<pid>/status; undefined if the process is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: the fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15
    const tck = clockTicks();
    const utime = Number(fields[14 - 3]) / tck;
    const stime = Number(fields[15 - 3]) / tck;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) / 1024 : NaN;
    };
    return { cpuSeconds: utime + stime, userSeconds: utime, systemSeconds: stime, peakRssMb: kb('VmHWM'), rssMb: kb('VmRSS'), at: Date.now() };
  } catch {
    return undefined;
  }
}
