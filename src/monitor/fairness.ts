/**
 * Fairness (model bias, demographic parity): per algorithm version x check x group, exact
 * counts of executions and of positive outcomes per five-minute slot, on the monitoring clock
 * (clock.ts), so that the report reads them over drift's current window. Pure: every time is a
 * parameter.
 *
 * A check's groups are the values it lists, plus `other` for every other value; a value is
 * matched by its text, so a message's "1" and 1 are one group (the config forbids listing both).
 * An execution without an outcome, with one that is not usable (a string, null, not finite), or
 * without a group value is left out of the check and counted by reason.
 *
 * The counts of a check are kept under its fingerprint (what its counts mean): a check whose
 * configuration changed starts again from nothing, on a restart or a reload alike.
 */
import { VersionClock } from './clock';
import { CountRing, type Placement, placement } from './counts';
import { KIND_GROUP_NUMBER, KIND_GROUP_STRING, KIND_OUTCOME } from './observations';

/** A configured check, as monitoring needs it (config's FairnessCheckSettings). */
export interface FairnessCheck {
  name: string;
  outcome: string;
  positive: 'above' | 'below';
  threshold: number;
  groupField: string;
  groups: ReadonlyArray<string | number>;
  referenceGroup: string | number;
  minGroupExecutions: number;
  algorithms?: readonly string[];
}

export const SKIP_REASONS = ['outcome_missing', 'outcome_unusable', 'group_missing'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Per-message outcome states. */
const MISSING = 0;
const UNUSABLE = 1;
const POSITIVE = 2;
const NEGATIVE = 3;

/**
 * What a check's counts mean: everything but `min_group_executions`, which only decides what is
 * sent from the same counts.
 */
export function fingerprint(c: FairnessCheck): string {
  return JSON.stringify([c.name, c.outcome, c.positive, c.threshold, c.groupField, c.groups, c.referenceGroup, c.algorithms ?? null]);
}

/** True when `value` is a positive outcome (NaN never is). */
export function isPositive(value: number, positive: 'above' | 'below', threshold: number): boolean {
  return positive === 'above' ? value > threshold : value < threshold;
}

/** A check with its lookups; counters 2g (executions) and 2g + 1 (positives) per group g, `other` last. */
export class CompiledCheck {
  readonly fingerprint: string;
  readonly index = new Map<string, number>();
  readonly reference: number;
  readonly other: number;
  readonly width: number;
  constructor(readonly check: FairnessCheck) {
    this.fingerprint = fingerprint(check);
    check.groups.forEach((g, i) => this.index.set(String(g), i));
    this.other = check.groups.length;
    this.width = 2 * (check.groups.length + 1);
    this.reference = this.index.get(String(check.referenceGroup)) ?? 0;
  }
  /** The tag value of group g: as listed, or `other`. */
  groupName(g: number): string {
    return g === this.other ? 'other' : String(this.check.groups[g]);
  }
}

export class FairnessVersion {
  readonly clock = new VersionClock();
  /** fingerprint -> counts. */
  readonly checks = new Map<string, CountRing>();
  constructor(
    readonly name: string,
    readonly version: string,
    public owner: string,
  ) {}
}

export class Fairness {
  readonly compiled: CompiledCheck[];
  /** name -> version -> state, in first-seen order. */
  readonly byName = new Map<string, Map<string, FairnessVersion>>();
  /** Executions left out of a check since the last report, by SKIP_REASONS. */
  readonly skipped = new Float64Array(SKIP_REASONS.length);
  private readonly applicable = new Map<string, CompiledCheck[]>();
  private readonly where: Placement = { slot: 0, entry: -1, hour: 0 };
  /** The message being counted: its checks, and per check its group and outcome state. */
  private checks: CompiledCheck[] = [];
  private groupOf = new Int32Array(0);
  private outcomeOf = new Uint8Array(0);

  constructor(checks: readonly FairnessCheck[]) {
    this.compiled = checks.map((c) => new CompiledCheck(c));
  }

  /** The checks that apply to an algorithm. */
  checksOf(name: string): CompiledCheck[] {
    let list = this.applicable.get(name);
    if (list === undefined) {
      list = this.compiled.filter((c) => c.check.algorithms === undefined || c.check.algorithms.includes(name));
      if (this.applicable.size >= 20_000) this.applicable.clear();
      this.applicable.set(name, list);
    }
    return list;
  }

  /** One execution of a version; undefined: no check applies, or its time is not finite. */
  begin(name: string, version: string, owner: string, t: number): FairnessVersion | undefined {
    const checks = this.checksOf(name);
    if (checks.length === 0 || !Number.isFinite(t)) return undefined;
    let versions = this.byName.get(name);
    if (versions === undefined) this.byName.set(name, (versions = new Map()));
    let fv = versions.get(version);
    if (fv === undefined) versions.set(version, (fv = new FairnessVersion(name, version, owner)));
    fv.owner = owner;
    fv.clock.see(t);
    this.checks = checks;
    if (this.groupOf.length < checks.length) {
      this.groupOf = new Int32Array(checks.length);
      this.outcomeOf = new Uint8Array(checks.length);
    }
    this.groupOf.fill(-1, 0, checks.length);
    this.outcomeOf.fill(MISSING, 0, checks.length);
    return fv;
  }

  /** A fairness entry of the message begun (`strings`: the chunk's string group values). */
  entry(field: string, kind: number, value: number, strings: readonly string[] | undefined): void {
    const checks = this.checks;
    for (let c = 0; c < checks.length; c++) {
      const cc = checks[c];
      if (kind === KIND_OUTCOME) {
        if (field === cc.check.outcome) this.outcomeOf[c] = Number.isNaN(value) ? UNUSABLE : isPositive(value, cc.check.positive, cc.check.threshold) ? POSITIVE : NEGATIVE;
      } else if (field === cc.check.groupField) {
        const text = kind === KIND_GROUP_NUMBER ? String(value) : kind === KIND_GROUP_STRING ? strings?.[value] : undefined;
        if (text !== undefined) this.groupOf[c] = cc.index.get(text) ?? cc.other;
      }
    }
  }

  /** Counts the message begun with `begin` at time t in each of its checks, or its reason to be left out. */
  end(fv: FairnessVersion, t: number): void {
    const checks = this.checks;
    const p = placement(fv.clock, t, this.where);
    for (let c = 0; c < checks.length; c++) {
      const outcome = this.outcomeOf[c];
      const g = this.groupOf[c];
      if (outcome === MISSING) this.skipped[0]++;
      else if (outcome === UNUSABLE) this.skipped[1]++;
      else if (g < 0) this.skipped[2]++;
      else {
        const cc = checks[c];
        let ring = fv.checks.get(cc.fingerprint);
        if (ring === undefined) fv.checks.set(cc.fingerprint, (ring = new CountRing(cc.width)));
        ring.add(fv.clock, p, 2 * g);
        if (outcome === POSITIVE) ring.add(fv.clock, p, 2 * g + 1);
      }
    }
  }

  /** Drops versions whose newest message is more than `keepMs` older than wallNowMs; prunes the rest. */
  expire(wallNowMs: number, keepMs: number): void {
    for (const [name, versions] of this.byName) {
      for (const [key, fv] of versions) {
        if (wallNowMs - fv.clock.newest > keepMs) versions.delete(key);
        else for (const ring of fv.checks.values()) ring.prune(fv.clock.newestHour);
      }
      if (versions.size === 0) this.byName.delete(name);
    }
  }

  /** A version restored from the state file. */
  restored(fv: FairnessVersion): void {
    let versions = this.byName.get(fv.name);
    if (versions === undefined) this.byName.set(fv.name, (versions = new Map()));
    versions.set(fv.version, fv);
  }
}
