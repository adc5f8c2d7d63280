/**
 * Field health: per algorithm version x field, how many of the version's executions carried a
 * usable value of the field, and why the others did not. Pure: every time is a parameter.
 *
 * Counted per five-minute slot, on the monitoring clock (clock.ts): the version's executions
 * (every observed message), and per tracked field its usable values and its missing ones by
 * reason (null, non_numeric, non_finite) and the excluded ones (dropped on purpose). Absent is
 * what is left: executions - usable - null - non_numeric - non_finite - excluded.
 *
 * The tracked set: a field is tracked for a version once the version, or its previous version,
 * emitted a usable value of it (so a field a new version no longer sends is tracked, 100%
 * missing). Every series counts against max_series; beyond it new series are refused.
 */
import { previousVersion, VersionClock } from './clock';
import { CountRing, type Placement, placement } from './counts';
import { KIND_EXCLUDED, KIND_NON_FINITE, KIND_NULL, KIND_VALUE } from './observations';

/** Counters of a field's ring: the observation kinds (KIND_VALUE = usable, ... KIND_EXCLUDED). */
export const FIELD_COUNTERS = KIND_EXCLUDED + 1;

export class HealthSeries {
  readonly ring = new CountRing(FIELD_COUNTERS);
  /** The version emitted a usable value of the field (what a newer version inherits). */
  everUsable = false;
  /** Wall time of the last report that found a ratio at or above the threshold. */
  lastAboveMs = -Infinity;
  /** Missing values by reason (null, non_numeric, non_finite) since the last report. */
  readonly invalid = new Float64Array(3);
}

export class HealthVersion {
  readonly clock = new VersionClock();
  readonly executions = new CountRing(1);
  readonly fields = new Map<string, HealthSeries>();
  constructor(
    readonly name: string,
    readonly version: string,
    public owner: string,
  ) {}
}

export class FieldHealth {
  /** name -> version -> state, in first-seen order. */
  readonly byName = new Map<string, Map<string, HealthVersion>>();
  series = 0;
  private readonly where: Placement = { slot: 0, entry: -1, hour: 0 };

  constructor(readonly maxSeries: number) {}

  /** One execution of a version (undefined: its time is not finite). */
  begin(name: string, version: string, owner: string, t: number): HealthVersion | undefined {
    if (!Number.isFinite(t)) return undefined;
    let versions = this.byName.get(name);
    if (versions === undefined) this.byName.set(name, (versions = new Map()));
    let hv = versions.get(version);
    if (hv === undefined) versions.set(version, (hv = new HealthVersion(name, version, owner)));
    hv.owner = owner;
    hv.clock.see(t);
    hv.executions.add(hv.clock, placement(hv.clock, t, this.where), 0);
    return hv;
  }

  /** Where the counts of the message begun with `begin` go (the object is reused). */
  placement(hv: HealthVersion, t: number): Placement {
    return placement(hv.clock, t, this.where);
  }

  /**
   * The series of `field` in `hv`: created when `usable`, or when the previous version had a
   * usable value of it, while under the cap (`force`: whatever the cap, for a series another
   * signal already tracks). Undefined: not tracked.
   */
  seriesOf(hv: HealthVersion, field: string, usable: boolean, force = false): HealthSeries | undefined {
    const s = hv.fields.get(field);
    if (s !== undefined) return s;
    if (!usable && !this.inherits(hv, field)) return undefined;
    return this.create(hv, field, force);
  }

  /** Counts one entry of kind `kind` of the message placed at `p`. */
  count(hv: HealthVersion, s: HealthSeries, p: Placement, kind: number): void {
    s.ring.add(hv.clock, p, kind);
    if (kind === KIND_VALUE) s.everUsable = true;
    else if (kind >= KIND_NULL && kind <= KIND_NON_FINITE) s.invalid[kind - KIND_NULL]++;
  }

  /** Tracks, in every version, the fields its previous version had usable values of (under the cap). */
  inheritAll(): void {
    for (const versions of this.byName.values()) {
      for (const hv of versions.values()) {
        const prev = previousVersion(versions.values(), hv);
        if (prev === undefined) continue;
        for (const [field, ps] of prev.fields) if (ps.everUsable && !hv.fields.has(field)) this.create(hv, field, false);
      }
    }
  }

  /** Drops versions whose newest message is more than `keepMs` older than wallNowMs; prunes the rest. */
  expire(wallNowMs: number, keepMs: number): void {
    for (const [name, versions] of this.byName) {
      for (const [key, hv] of versions) {
        if (wallNowMs - hv.clock.newest > keepMs) {
          versions.delete(key);
          this.series -= hv.fields.size;
        } else {
          hv.executions.prune(hv.clock.newestHour);
          for (const s of hv.fields.values()) s.ring.prune(hv.clock.newestHour);
        }
      }
      if (versions.size === 0) this.byName.delete(name);
    }
  }

  /** A version restored from the state file, with its series counted. */
  restored(hv: HealthVersion): void {
    let versions = this.byName.get(hv.name);
    if (versions === undefined) this.byName.set(hv.name, (versions = new Map()));
    versions.set(hv.version, hv);
    this.series += hv.fields.size;
  }

  private inherits(hv: HealthVersion, field: string): boolean {
    const versions = this.byName.get(hv.name);
    const prev = versions === undefined ? undefined : previousVersion(versions.values(), hv);
    return prev?.fields.get(field)?.everUsable === true;
  }

  private create(hv: HealthVersion, field: string, force: boolean): HealthSeries | undefined {
    if (!force && this.series >= this.maxSeries) return undefined;
    const s = new HealthSeries();
    hv.fields.set(field, s);
    this.series++;
    return s;
  }
}
