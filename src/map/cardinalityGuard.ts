/**
 * Bounds the custom metrics one algorithm can create: distinct metric names and distinct
 * versions per algorithm_name over a rolling window. New versions get in as old ones age out.
 */
export interface CardinalityLimits {
  maxNamesPerAlgorithm: number;
  maxVersionsPerAlgorithm: number;
  windowMs: number;
}

interface AlgorithmState {
  names: Map<string, number>; // metric name -> last seen (ms)
  versions: Map<string, number>;
  lastSeen: number;
}

/** Algorithms not seen for a window are forgotten; this many trigger a sweep. */
const SWEEP_AT = 10_000;

export class CardinalityGuard {
  private readonly algorithms = new Map<string, AlgorithmState>();

  constructor(private readonly limits: CardinalityLimits) {}

  private state(algorithm: string, now: number): AlgorithmState {
    let s = this.algorithms.get(algorithm);
    if (!s) {
      if (this.algorithms.size >= SWEEP_AT) this.sweep(now);
      s = { names: new Map(), versions: new Map(), lastSeen: now };
      this.algorithms.set(algorithm, s);
    }
    s.lastSeen = now;
    return s;
  }

  /** May this algorithm send a metric of this name now? */
  allowName(algorithm: string, name: string, now: number): boolean {
    return this.admit(this.state(algorithm, now).names, name, this.limits.maxNamesPerAlgorithm, now);
  }

  /** May this version be used as a tag value now? (false: tag it `overflow`) */
  allowVersion(algorithm: string, version: string, now: number): boolean {
    return this.admit(this.state(algorithm, now).versions, version, this.limits.maxVersionsPerAlgorithm, now);
  }

  private admit(seen: Map<string, number>, key: string, cap: number, now: number): boolean {
    if (seen.has(key)) {
      seen.set(key, now);
      return true;
    }
    if (seen.size >= cap) {
      const oldest = now - this.limits.windowMs;
      for (const [k, t] of seen) if (t < oldest) seen.delete(k);
      if (seen.size >= cap) return false;
    }
    seen.set(key, now);
    return true;
  }

  private sweep(now: number): void {
    const oldest = now - this.limits.windowMs;
    for (const [k, s] of this.algorithms) if (s.lastSeen < oldest) this.algorithms.delete(k);
  }
}
