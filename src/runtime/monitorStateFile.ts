/**
 * The model monitoring state file (`drift.state_file`, one section per signal): read once at start, written atomically (a temporary file beside it,
 * then a rename) every few minutes and at shutdown. A bad file is logged, counted and ignored
 * (the forwarder starts empty); a failed write is logged, counted, and leaves the previous file
 * as it was. Neither ever stops the forwarder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { Monitor, type MonitorOptions } from '../monitor';
import { InsightsError } from '../errors';
import type { Logger } from '../log/logger';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';

/** A validated snapshot from `path`, or undefined (none yet, or unreadable: then logged and counted). */
export function readMonitorState(path: string, opts: MonitorOptions, log: Logger, telemetry: ForwarderTelemetry): Uint8Array | undefined {
  if (!existsSync(path)) {
    log.info('no drift state file yet: drift starts empty', { state_file: path });
    return undefined;
  }
  let bytes: Uint8Array;
  let problem: string;
  try {
    bytes = readFileSync(path);
    const restored = Monitor.restore(bytes, opts);
    if (restored.ok) {
      log.info('drift state restored', { state_file: path, series: restored.monitor.trackedSeries });
      return bytes;
    }
    problem = restored.reason;
  } catch (err) {
    problem = (err as Error).message;
  }
  const failure = new InsightsError('DRIFT_STATE_UNREADABLE', `drift state file ignored (${problem}): drift starts empty`);
  telemetry.failure('drift_state', failure.code);
  log.warn(failure.message, { state_file: path, code: failure.code });
  return undefined;
}

export class MonitorStateWriter {
  private failing = false;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
    private readonly telemetry: ForwarderTelemetry,
  ) {}

  /** Never throws; the previous file stays whole when this one cannot be written. */
  async write(bytes: Uint8Array): Promise<void> {
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(temp, bytes, { mode: 0o600, flush: true });
      await rename(temp, this.path);
      if (this.failing) this.log.info('drift state file written again', { state_file: this.path });
      this.failing = false;
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      const failure = new InsightsError('DRIFT_STATE_WRITE_FAILED', `cannot write the drift state file: ${(err as Error).message}`, { cause: err });
      this.telemetry.failure('drift_state', failure.code);
      // Logged once per run of failures, not at every attempt.
      if (!this.failing) this.log.warn(failure.message, { state_file: this.path, code: failure.code });
      this.failing = true;
    }
  }
}
