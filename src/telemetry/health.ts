/**
 * The health of one instance, from what its consumer and its sockets report: OK while it is in
 * its group and fetched recently (a member that has just joined is OK until the staleness rule
 * applies); failing with the cause otherwise ("connection refused to 10.0.0.5:9092"). It feeds
 * the service check, the /ready endpoint and `status`, and logs one line per change of state
 * (healthy, or unhealthy for a given cause and broker), never one per retry.
 */
import type { CauseKey, KafkaCause } from '../kafkaCauses';
import type { Logger } from '../log/logger';
import { STARTING_GRACE_MS } from '../tunables';

export interface HealthCause {
  key: CauseKey;
  message: string;
  broker?: string;
  /** When this cause (same key and broker) was first seen in a row, ms since the epoch. */
  since: number;
  /** When it was last seen. */
  at: number;
}

export interface InstanceHealth {
  ok: boolean;
  message?: string;
  lastFetchAt?: number;
  /** Why it is not OK, when a Kafka failure explains it. */
  cause?: HealthCause;
  /** The last Kafka failure seen, even when OK since. */
  lastCause?: HealthCause;
}

type Keyed = { key: CauseKey; broker?: string };
const sameCause = (a: Keyed | undefined, b: Keyed | undefined) => a !== undefined && b !== undefined && a.key === b.key && a.broker === b.broker;
const newer = (a?: HealthCause, b?: HealthCause) => (!a ? b : !b ? a : b.at > a.at ? b : a);

export class HealthState {
  private joinedAt?: number;
  private lastFetchAt?: number;
  /** The consumer's last failure (connect, subscribe, crash). */
  private lastError?: HealthCause;
  /** The last failed connection attempt, as the socket saw it (before kafkajs gives up retrying). */
  private attempt?: HealthCause;
  /** The state of the last "connected" / "Kafka unavailable" line. */
  private logged?: string;
  /** The attempt cause last logged; cleared by a successful fetch. */
  private attemptLogged?: string;
  private startedAt = 0;
  private stopping = false;

  constructor(
    private readonly topic: string,
    private readonly log: Logger,
    private readonly telemetryIntervalMs: number,
    private readonly maxWaitMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  started(): void {
    this.startedAt = this.now();
  }

  stopped(): void {
    this.stopping = true;
  }

  fetched(): void {
    this.lastFetchAt = this.now();
    this.attemptLogged = undefined;
    this.update();
  }

  joinedGroup(): void {
    this.joinedAt = this.now();
    this.update();
  }

  leftGroup(): void {
    this.joinedAt = undefined;
  }

  /** The consumer failed with this cause (it is replaced after a backoff). */
  failed(cause: KafkaCause): void {
    this.lastError = this.stamp(cause, newer(this.lastError, this.attempt));
    this.update();
  }

  /**
   * A connection attempt failed (kafkajs retries it): it names the cause while the instance is
   * not connected, without making a connected one unhealthy. Logged once per cause and broker.
   */
  connectFailed(cause: KafkaCause): void {
    this.attempt = this.stamp(cause, newer(this.lastError, this.attempt));
    if (this.update()) return;
    const key = `${cause.key}|${cause.broker ?? ''}`;
    if (this.stopping || key === this.attemptLogged || key === this.logged) return;
    this.attemptLogged = key;
    this.log.rateLimited(`kafka-cause:${key}`, 'warn', 'Kafka connection failed', { topic: this.topic, reason: cause.message, cause: cause.key, broker: cause.broker });
  }

  /** While first joining the group (and no error yet) the status is unknown: no service check is sent. */
  get starting(): boolean {
    const graceMs = Math.max(STARTING_GRACE_MS, 3 * this.telemetryIntervalMs);
    return this.joinedAt === undefined && this.lastFetchAt === undefined && this.lastError === undefined && this.now() - this.startedAt < graceMs;
  }

  health(): InstanceHealth {
    const staleMs = Math.max(3 * this.telemetryIntervalMs, 3 * this.maxWaitMs, 3000);
    const { lastFetchAt, joinedAt, lastError, attempt } = this;
    const lastCause = newer(lastError, attempt);
    // The last sign of life: a fetch, or the group join (a member just joined has not fetched yet).
    const lastGood = Math.max(lastFetchAt ?? -Infinity, joinedAt ?? -Infinity);
    const since = (c?: HealthCause) => (c && c.at >= lastGood ? c : undefined);
    const error = since(lastError);
    const hint = since(attempt);
    // The consumer's failure decides the status; the newest cause seen since names it.
    if (error) {
      const cause = newer(error, hint) as HealthCause;
      return { ok: false, message: cause.message, lastFetchAt, cause, lastCause };
    }
    if (joinedAt === undefined) {
      return { ok: false, message: hint?.message ?? (lastFetchAt === undefined ? 'not connected to Kafka yet' : 'not in the consumer group'), lastFetchAt, cause: hint, lastCause };
    }
    const age = this.now() - lastGood;
    if (age > staleMs) {
      const what = lastFetchAt === undefined || joinedAt > lastFetchAt ? `no fetch from Kafka since the group join ${Math.round(age / 1000)} s ago` : `no successful fetch from Kafka for ${Math.round(age / 1000)} s`;
      const last = hint ?? lastError;
      return { ok: false, message: `${what}${last ? ` (last error: ${last.message})` : ''}`, lastFetchAt, cause: hint, lastCause };
    }
    return { ok: true, lastFetchAt, lastCause };
  }

  /** Logs one line per change of state (healthy; unhealthy for a cause and broker); true when it logged. */
  update(): boolean {
    if (this.stopping || this.starting) return false;
    const h = this.health();
    const state = h.ok ? 'ok' : h.cause ? `${h.cause.key}|${h.cause.broker ?? ''}` : h.lastFetchAt === undefined && this.joinedAt === undefined ? 'not_connected' : 'stale';
    if (state === this.logged) return false;
    this.logged = state;
    if (h.ok) this.log.info('connected to Kafka and consuming', { topic: this.topic });
    else this.log.error('Kafka unavailable', { topic: this.topic, reason: h.message, cause: h.cause?.key, broker: h.cause?.broker });
    return true;
  }

  private stamp(cause: KafkaCause, prev?: HealthCause): HealthCause {
    const at = this.now();
    return { key: cause.key, message: cause.message, broker: cause.broker, since: sameCause(prev, cause) && prev ? prev.since : at, at };
  }
}
