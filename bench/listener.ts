/** The DogStatsD listener process (bench/listenerWorker.ts), driven over IPC. */
import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListenerCommand, ListenerStats } from './listenerWorker';
import { sampleProcess, type ProcSample } from './procStats';
import { exited, track, workerPath } from './util';

export class ListenerProcess {
  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
    private readonly dir?: string,
  ) {}

  static async start(protocol: 'udp' | 'uds'): Promise<ListenerProcess> {
    const dir = protocol === 'uds' ? mkdtempSync(join(tmpdir(), 'aik-bench-dsd-')) : undefined;
    const args = protocol === 'uds' ? ['uds', join(dir as string, 'dsd.socket')] : ['udp'];
    const proc = track(fork(workerPath('listenerWorker.js'), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const url = await new Promise<string>((res, rej) => {
      proc.once('message', (m: { type: string; address: string }) => (m.type === 'ready' ? res(m.address) : rej(new Error('listener: unexpected message'))));
      proc.once('exit', (code) => rej(new Error(`listener exited with code ${code}`)));
    });
    return new ListenerProcess(proc, url, dir);
  }

  send(cmd: ListenerCommand): void {
    this.proc.send(cmd);
  }

  stats(): Promise<ListenerStats> {
    return new Promise((res) => {
      const onMessage = (m: ListenerStats) => {
        if (m.type !== 'stats') return;
        this.proc.off('message', onMessage);
        res(m);
      };
      this.proc.on('message', onMessage);
      this.send({ cmd: 'stats' });
    });
  }

  sample(): ProcSample | undefined {
    return this.proc.pid ? sampleProcess(this.proc.pid) : undefined;
  }

  async close(): Promise<void> {
    if (this.proc.connected) this.send({ cmd: 'close' });
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited(this.proc);
    clearTimeout(t);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
