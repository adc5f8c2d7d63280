/**
 * DriftTracker: per (algorithm_name, algorithm_version) x field, a PSI score of the current window
 * against the version's own trailing day and against the previous version. Pure: every time is a
 * parameter (ms since the epoch, UTC); no I/O, no timers.
 *
 *   const t = new DriftTracker({ baselines: ['trailing', 'previous_version'], minSamples: 500, maxSeries: 1000 });
 *   t.observe(name, version, owner, messageTimeMs, field, value);          // hot path
 *   t.observeMessage(name, version, owner, messageTimeMs, fields, values);  // one message at once
 *   vs = t.begin(...); t.seriesValue(vs, t.seriesOf(vs, field), messageTimeMs, value);  // series looked up once
 *   p = t.placement(vs, messageTimeMs); t.seriesValueAt(vs, series, p, value);     // and the message's slot once
 *   t.report(wallNowMs): DriftScore[];   // runs expire(wallNowMs) first
 *   t.expire(wallNowMs);                 // drops versions whose newest message is > 25 h old
 *   t.trackedSeries; t.takeUntracked();  // series cap accounting
 *   t.snapshot(): Uint8Array; DriftTracker.restore(bytes, opts)  // see snapshot.ts
 *
 * Definitions (the drift issue): a version's newest / earliest message is the one with the
 * highest / lowest message time. Slots are 5-minute UTC slots; the current window is the 12 slots
 * ending with the slot of the newest message. Trailing baseline: [H - 24 h, H), H = start of the
 * UTC hour holding the window's first slot. Previous-version baseline: the version of the same
 * name whose earliest time is the latest strictly before this one's (ties: the smaller version
 * string), over its own [N - 23 h, N + 1 h), N = start of the hour holding its newest message.
 * PSI bins by the reference's deciles, or by value when both sides together hold at most 16
 * distinct values (psi.ts).
 * A score needs minSamples values on both sides. Versions are reported while their newest
 * message is less than 2 h old by the wall clock. The caller excludes duration_milliseconds and
 * gives message times (see driftMessageTime). Non-finite values and times are ignored.
 * Beyond maxSeries, values of new series are only counted (takeUntracked). A restored snapshot
 * keeps all its series even when it holds more than maxSeries.
 */
import { psiOfSides } from './psi';
import { Weighted } from './sketch';
import { type Placement, SeedSource, Series, VersionState, placeAt, placementOf } from './state';
import { readSnapshot, writeSnapshot, type RestoreFailure } from './snapshot';
import { HOUR_MS, KEEP_MS, previousBy, REPORT_AGE_MS, SLOT_MS, WINDOW_SLOTS } from './time';

export type Baseline = 'trailing' | 'previous_version';

export interface DriftOptions {
  baselines: Baseline[];
  minSamples: number;
  maxSeries: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  baselines: ['trailing', 'previous_version'],
  minSamples: 500,
  maxSeries: 1000,
};

export interface DriftScore {
  algorithmName: string;
  version: string;
  owner: string;
  field: string;
  baseline: Baseline;
  baselineVersion?: string;
  psi: number;
}

export class DriftTracker {
  private readonly opts: DriftOptions;
  /** name -> version -> state, in first-seen order. */
  private readonly byName = new Map<string, Map<string, VersionState>>();
  private readonly seeds: SeedSource;
  private series = 0;
  private untracked = 0;
  private lastName: string | undefined;
  private lastVersion: string | undefined;
  private last: VersionState | undefined;
  private readonly cur = new Weighted();
  private readonly where: Placement = { slot: 0, entry: -1, hour: 0 };
  private readonly ref = new Weighted();

  constructor(opts: Partial<DriftOptions> = {}) {
    this.opts = { ...DEFAULT_DRIFT_OPTIONS, ...opts };
    this.seeds = new SeedSource();
  }

  get trackedSeries(): number {
    return this.series;
  }

  /** Values not tracked (series cap) since the last call. */
  takeUntracked(): number {
    const n = this.untracked;
    this.untracked = 0;
    return n;
  }

  observe(algorithmName: string, version: string, owner: string, messageTimeMs: number, field: string, value: number): void {
    if (!Number.isFinite(messageTimeMs)) return;
    const vs = this.version(algorithmName, version, owner, messageTimeMs);
    if (Number.isFinite(value)) this.add(vs, messageTimeMs, field, value);
  }

  /** observe() for fields[i] = values[i], i < count (default fields.length), of one message. */
  observeMessage(
    algorithmName: string,
    version: string,
    owner: string,
    messageTimeMs: number,
    fields: readonly string[],
    values: ArrayLike<number>,
    count = fields.length,
  ): void {
    if (!Number.isFinite(messageTimeMs)) return;
    const vs = this.version(algorithmName, version, owner, messageTimeMs);
    for (let i = 0; i < count; i++) if (Number.isFinite(values[i])) this.add(vs, messageTimeMs, fields[i], values[i]);
  }

  /**
   * The hot path in two steps, for a caller that sees a message's values one by one: the
   * version of the message (undefined: its time is not finite), then each value of it.
   */
  begin(algorithmName: string, version: string, owner: string, messageTimeMs: number): VersionState | undefined {
    return Number.isFinite(messageTimeMs) ? this.version(algorithmName, version, owner, messageTimeMs) : undefined;
  }

  /** One value of the message begun with `begin` (same time). */
  value(vs: VersionState, messageTimeMs: number, field: string, value: number): void {
    if (Number.isFinite(value)) this.add(vs, messageTimeMs, field, value);
  }

  private version(name: string, version: string, owner: string, t: number): VersionState {
    let vs = this.last;
    if (vs === undefined || name !== this.lastName || version !== this.lastVersion) {
      let versions = this.byName.get(name);
      if (versions === undefined) this.byName.set(name, (versions = new Map()));
      vs = versions.get(version);
      if (vs === undefined) versions.set(version, (vs = new VersionState(name, version, owner)));
      this.lastName = name;
      this.lastVersion = version;
      this.last = vs;
    }
    vs.owner = owner;
    vs.see(t);
    return vs;
  }

  /**
   * The series of `field` in `vs`, created while under the series cap; undefined: over the cap.
   * With seriesValue, for a caller that looks a series up once for many values (the series
   * count only grows between reports, so an answer stays true until the next report).
   */
  seriesOf(vs: VersionState, field: string): Series | undefined {
    let s = vs.fields.get(field);
    if (s === undefined) {
      if (this.series >= this.opts.maxSeries) return undefined;
      vs.fields.set(field, (s = new Series()));
      this.series++;
    }
    return s;
  }

  /** One value of the message begun with `begin` (same time), in series `s` from seriesOf (undefined: untracked). */
  seriesValue(vs: VersionState, s: Series | undefined, messageTimeMs: number, value: number): void {
    this.seriesValueAt(vs, s, placementOf(vs, messageTimeMs, this.where), value);
  }

  /**
   * Where the values of the message begun with `begin` go: the same for all of them. The object
   * is reused by the next call (and by seriesValue).
   */
  placement(vs: VersionState, messageTimeMs: number): Placement {
    return placementOf(vs, messageTimeMs, this.where);
  }

  /** seriesValue with the message's placement worked out once (placement). */
  seriesValueAt(vs: VersionState, s: Series | undefined, p: Placement, value: number): void {
    if (!Number.isFinite(value)) return;
    if (s === undefined) this.untracked++;
    else placeAt(vs, s, p, value, this.seeds);
  }

  private add(vs: VersionState, t: number, field: string, value: number): void {
    this.seriesValue(vs, this.seriesOf(vs, field), t, value);
  }

  /** Drops versions whose newest message is more than 25 h older than wallNowMs; prunes the rest. */
  expire(wallNowMs: number): void {
    for (const [name, versions] of this.byName) {
      for (const [key, vs] of versions) {
        if (wallNowMs - vs.newest > KEEP_MS) {
          versions.delete(key);
          this.series -= vs.fields.size;
          if (vs === this.last) this.last = this.lastName = this.lastVersion = undefined;
        } else {
          for (const s of vs.fields.values()) s.prune(vs.newestHour);
        }
      }
      if (versions.size === 0) this.byName.delete(name);
    }
  }

  /** The scores of every version whose newest message is less than 2 h old; calls expire first. */
  report(wallNowMs: number): DriftScore[] {
    this.expire(wallNowMs);
    const out: DriftScore[] = [];
    const trailing = this.opts.baselines.includes('trailing');
    const previous = this.opts.baselines.includes('previous_version');
    const min = this.opts.minSamples;
    const { cur, ref } = this;
    for (const versions of this.byName.values()) {
      for (const vs of versions.values()) {
        if (!(wallNowMs - vs.newest < REPORT_AGE_MS)) continue;
        const winFrom = (vs.newestSlot - WINDOW_SLOTS + 1) * SLOT_MS;
        const winTo = (vs.newestSlot + 1) * SLOT_MS;
        const h = Math.floor(winFrom / HOUR_MS) * HOUR_MS;
        const prev = previous ? previousOf(versions, vs) : undefined;
        const score = (field: string, baseline: Baseline, psi: number, baselineVersion?: string): void => {
          const s: DriftScore = { algorithmName: vs.name, version: vs.version, owner: vs.owner, field, baseline, psi };
          if (baselineVersion !== undefined) s.baselineVersion = baselineVersion;
          out.push(s);
        };
        for (const [field, s] of vs.fields) {
          cur.clear();
          const curExact = s.gather(winFrom, winTo, cur);
          if (cur.total < min || cur.total === 0) continue;
          if (trailing) {
            ref.clear();
            const refExact = s.gather(h - 24 * HOUR_MS, h, ref);
            if (ref.total >= min && ref.total > 0) score(field, 'trailing', psiOfSides(ref, refExact, cur, curExact));
          }
          const ps = prev?.fields.get(field);
          if (prev !== undefined && ps !== undefined) {
            const n = prev.newestHour * HOUR_MS;
            ref.clear();
            const refExact = ps.gather(n - 23 * HOUR_MS, n + HOUR_MS, ref);
            if (ref.total >= min && ref.total > 0) score(field, 'previous_version', psiOfSides(ref, refExact, cur, curExact), prev.version);
          }
        }
      }
    }
    return out;
  }

  snapshot(): Uint8Array {
    return writeSnapshot(this.byName, this.seeds.state, this.untracked);
  }

  static restore(bytes: Uint8Array, opts: Partial<DriftOptions> = {}): { ok: true; tracker: DriftTracker } | RestoreFailure {
    const r = readSnapshot(bytes);
    if (!r.ok) return r;
    const t = new DriftTracker(opts);
    t.seeds.state = r.seed;
    t.untracked = r.untracked;
    for (const vs of r.versions) {
      let versions = t.byName.get(vs.name);
      if (versions === undefined) t.byName.set(vs.name, (versions = new Map()));
      versions.set(vs.version, vs);
      t.series += vs.fields.size;
    }
    return { ok: true, tracker: t };
  }
}

/** The version of the same name whose earliest time is the latest strictly before vs's. */
export function previousOf(versions: Map<string, VersionState>, vs: VersionState): VersionState | undefined {
  return previousBy(versions.values(), vs, (v) => v);
}
