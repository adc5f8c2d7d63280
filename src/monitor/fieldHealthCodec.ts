/**
 * Field health's section of the state file, little-endian (the container is stateFile.ts):
 *   version count u32, per version: name, version, owner (strings), newest f64, earliest f64,
 *   executions (ring), field count u32, per field: field (string), ever usable u8,
 *   last above f64 (NaN: never), counters (ring);
 *   ring: entry count u8, per entry: index u8, id f64, its counters f64 each.
 * Reading throws TruncatedError past the end and CorruptSection on an inconsistent value.
 */
import { type ByteReader, ByteWriter } from '../drift/bytes';
import { type CountRing, ENTRIES, HOUR_RING, NO_ID } from './counts';
import { type VersionClock, WINDOW_SLOTS } from './clock';
import { FieldHealth, HealthSeries, HealthVersion } from './fieldHealth';

export class CorruptSection extends Error {}

export function writeFieldHealth(h: FieldHealth): Uint8Array {
  const w = new ByteWriter();
  let count = 0;
  for (const versions of h.byName.values()) count += versions.size;
  w.u32(count);
  for (const versions of h.byName.values()) {
    for (const hv of versions.values()) {
      writeVersionHead(w, hv);
      writeRing(w, hv.executions);
      w.u32(hv.fields.size);
      for (const [field, s] of hv.fields) {
        w.str(field);
        w.u8(s.everUsable ? 1 : 0);
        w.f64(Number.isFinite(s.lastAboveMs) ? s.lastAboveMs : NaN);
        writeRing(w, s.ring);
      }
    }
  }
  return w.bytes();
}

export function readFieldHealth(r: ByteReader, maxSeries: number): FieldHealth {
  const h = new FieldHealth(maxSeries);
  const count = r.u32();
  const seen = new Set<string>();
  for (let v = 0; v < count; v++) {
    const hv = readVersionHead(r, seen, (name, version, owner) => new HealthVersion(name, version, owner));
    readRing(r, hv.executions);
    const fields = r.u32();
    for (let f = 0; f < fields; f++) {
      const field = r.str();
      check(!hv.fields.has(field));
      const s = new HealthSeries();
      const usable = r.u8();
      check(usable <= 1);
      s.everUsable = usable === 1;
      const above = r.f64();
      s.lastAboveMs = Number.isNaN(above) ? -Infinity : above;
      check(Number.isFinite(s.lastAboveMs) || s.lastAboveMs === -Infinity);
      readRing(r, s.ring);
      hv.fields.set(field, s);
    }
    h.restored(hv);
  }
  return h;
}

export function writeRing(w: ByteWriter, ring: CountRing): void {
  let entries = 0;
  for (let i = 0; i < ENTRIES; i++) if (ring.ids[i] !== NO_ID) entries++;
  w.u8(entries);
  for (let i = 0; i < ENTRIES; i++) {
    if (ring.ids[i] === NO_ID) continue;
    w.u8(i);
    w.f64(ring.ids[i]);
    for (let k = 0; k < ring.width; k++) w.f64(ring.counts[i * ring.width + k]);
  }
}

/** What each section writes of a version before its own counts: who it is, and its clock. */
interface VersionHead {
  readonly name: string;
  readonly version: string;
  readonly owner: string;
  readonly clock: VersionClock;
}

export function writeVersionHead(w: ByteWriter, v: VersionHead): void {
  w.str(v.name);
  w.str(v.version);
  w.str(v.owner);
  w.f64(v.clock.newest);
  w.f64(v.clock.earliest);
}

/** A version written by writeVersionHead, made by `make`; a version met twice (`seen`) is corrupt. */
export function readVersionHead<T extends VersionHead>(r: ByteReader, seen: Set<string>, make: (name: string, version: string, owner: string) => T): T {
  const v = make(r.str(), r.str(), r.str());
  const key = JSON.stringify([v.name, v.version]);
  check(!seen.has(key));
  seen.add(key);
  const newest = r.f64();
  const earliest = r.f64();
  check(Number.isFinite(newest) && Number.isFinite(earliest) && earliest <= newest);
  v.clock.see(newest);
  v.clock.see(earliest);
  return v;
}

export function readRing(r: ByteReader, ring: CountRing): void {
  const entries = r.u8();
  for (let e = 0; e < entries; e++) {
    const i = r.u8();
    const id = r.f64();
    check(i < ENTRIES && ring.ids[i] === NO_ID && Number.isSafeInteger(id) && id > NO_ID && id <= 2147483647);
    check(i === (i < WINDOW_SLOTS ? mod(id, WINDOW_SLOTS) : WINDOW_SLOTS + mod(id, HOUR_RING)));
    ring.ids[i] = id;
    for (let k = 0; k < ring.width; k++) {
      const n = r.f64();
      check(Number.isSafeInteger(n) && n >= 0);
      ring.counts[i * ring.width + k] = n;
    }
  }
}

function check(ok: boolean): void {
  if (!ok) throw new CorruptSection('corrupt');
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
