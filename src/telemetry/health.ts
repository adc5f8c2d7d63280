/**
 * The health of one instance, from what its consumer reports: OK while it is in its group and
 * fetched recently; failing with the reason otherwise. It feeds the service check, the
 * /ready endpoint, and one log line per change between healthy and not.
 */
import type { Logger } from '../log/logger';
import { STARTING_GRACE_MS } from '../tunables';

export interface InstanceHealth {
  ok: boolean;
  message?: string;
  lastFetchAt?: number;
}

export class HealthState {
  private joined = false;
  private lastFetchAt?: number;
  private lastError?: string;
  private lastErrorAt = 0;
  private healthy?: boolean;
  private startedAt = 0;
  private stopping = false;

  constructor(
    private readonly topic: string,
    private readonly log: Logger,
    private readonly telemetryIntervalMs: number,
    private readonly maxWaitMs: number,
  ) {}

  started(): void {
    this.startedAt = Date.now();
  }

  stopped(): void {
    this.stopping = true;
  }

  fetched(): void {
    this.lastFetchAt = Date.now();
    this.update();
  }

  joinedGroup(): void {
    this.joined = true;
  }

  leftGroup(): void {
    this.joined = false;
  }

  failed(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
    this.update();
  }

  /** While first joining the group (and no error yet) the status is unknown: no service check is sent. */
  get starting(): boolean {
    const graceMs = Math.max(STARTING_GRACE_MS, 3 * this.telemetryIntervalMs);
    return !this.joined && this.lastFetchAt === undefined && this.lastError === undefined && Date.now() - this.startedAt < graceMs;
  }

  health(): InstanceHealth {
    const staleMs = Math.max(3 * this.telemetryIntervalMs, 3 * this.maxWaitMs, 3000);
    const lastFetchAt = this.lastFetchAt;
    if (this.lastError && (!lastFetchAt || this.lastErrorAt >= lastFetchAt)) return { ok: false, message: this.lastError, lastFetchAt };
    if (!this.joined || lastFetchAt === undefined) return { ok: false, message: this.lastError ?? 'not connected to Kafka yet', lastFetchAt };
    const age = Date.now() - lastFetchAt;
    if (age > staleMs) {
      return { ok: false, message: `no successful fetch from Kafka for ${Math.round(age / 1000)} s${this.lastError ? ` (last error: ${this.lastError})` : ''}`, lastFetchAt };
    }
    return { ok: true, lastFetchAt };
  }

  /** Logs one line per change between healthy and unhealthy. */
  update(): void {
    if (this.stopping || this.starting) return;
    const h = this.health();
    if (h.ok !== this.healthy) {
      this.healthy = h.ok;
      if (h.ok) this.log.info('connected to Kafka and consuming', { topic: this.topic });
      else this.log.error('Kafka unavailable', { topic: this.topic, reason: h.message });
    }
  }
}
