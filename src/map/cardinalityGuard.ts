/**
 * Bounds the custom metrics and tag values the algorithms can create, over a rolling window:
 * distinct algorithm names, and per algorithm distinct metric names and versions. New entries
 * get in as old ones age out. Memory is bounded by the caps.
 */
export interface CardinalityLimits {
  maxAlgorithms: number;
  maxNamesPerAlgorithm: number;
  maxVersionsPerAlgorithm: number;
  windowMs: number;
}

/** How often a full table may be swept for aged-out entries (a sweep is linear in its size). */
const SWEEP_EVERY_MS = 10_000;

class LastSeen {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(
    private readonly cap: number,
    private readonly windowMs: number,
  ) {}

  /** Records `key` as seen now; false when it is new and the table is full. */
  admit(key: string, now: number): boolean {
    const last = this.seen.get(key);
    if (last !== undefined) {
      // Refreshing once a second is enough for windows of minutes; it spares a write per value.
      if (now - last >= 1000) this.seen.set(key, now);
      return true;
    }
    if (this.seen.size >= this.cap) {
      if (now < this.nextSweep) return false;
      this.nextSweep = now + Math.min(SWEEP_EVERY_MS, this.windowMs);
      const oldest = now - this.windowMs;
      for (const [k, t] of this.seen) if (t < oldest) this.seen.delete(k);
      if (this.seen.size >= this.cap) return false;
    }
    this.seen.set(key, now);
    return true;
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }
}

/** One algorithm's budget of metric names and versions. */
export class AlgorithmBudget {
  private readonly names: LastSeen;
  private readonly versions: LastSeen;

  constructor(limits: CardinalityLimits) {
    this.names = new LastSeen(limits.maxNamesPerAlgorithm, limits.windowMs);
    this.versions = new LastSeen(limits.maxVersionsPerAlgorithm, limits.windowMs);
  }

  /** May this algorithm send a metric of this name now? */
  allowName(name: string, now: number): boolean {
    return this.names.admit(name, now);
  }

  /** May this version be used as a tag value now? (false: tag it `overflow`) */
  allowVersion(version: string, now: number): boolean {
    return this.versions.admit(version, now);
  }
}

/** The tag value that stands in for names and versions over a cap. */
export const OVERFLOW = 'overflow';

export class CardinalityGuard {
  private readonly algorithmsSeen: LastSeen;
  private readonly algorithms = new Map<string, AlgorithmBudget>();

  constructor(private readonly limits: CardinalityLimits) {
    this.algorithmsSeen = new LastSeen(limits.maxAlgorithms, limits.windowMs);
  }

  /** May this algorithm_name be a tag value now? (false: tag it `overflow`) */
  allowAlgorithm(algorithm: string, now: number): boolean {
    const ok = this.algorithmsSeen.admit(algorithm, now);
    if (ok && !this.algorithms.has(algorithm) && this.algorithms.size >= 2 * this.limits.maxAlgorithms + 1) {
      // Forget the tables of algorithms that have aged out of the window.
      for (const k of this.algorithms.keys()) if (k !== OVERFLOW && !this.algorithmsSeen.has(k)) this.algorithms.delete(k);
    }
    return ok;
  }

  /** The budget of one algorithm (look it up once per message). */
  budget(algorithm: string): AlgorithmBudget {
    let b = this.algorithms.get(algorithm);
    if (!b) {
      b = new AlgorithmBudget(this.limits);
      this.algorithms.set(algorithm, b);
    }
    return b;
  }

  /** May this algorithm send a metric of this name now? */
  allowName(algorithm: string, name: string, now: number): boolean {
    return this.budget(algorithm).allowName(name, now);
  }

  /** May this version be used as a tag value now? (false: tag it `overflow`) */
  allowVersion(algorithm: string, version: string, now: number): boolean {
    return this.budget(algorithm).allowVersion(version, now);
  }
}
