/**
 * Fairness's section of the state file, little-endian (the container is stateFile.ts):
 *   version count u32, per version: name, version, owner (strings), newest f64, earliest f64,
 *   check count u32, per check: fingerprint (string), counter count u32, counters (ring, as
 *   fieldHealthCodec.ts writes it).
 * Reading drops the counts of checks no longer configured as they were (another fingerprint).
 * It throws TruncatedError past the end and CorruptSection on an inconsistent value.
 */
import { type ByteReader, ByteWriter } from '../drift/bytes';
import { CountRing } from './counts';
import { Fairness, FairnessVersion } from './fairness';
import { CorruptSection, readRing, readVersionHead, writeRing, writeVersionHead } from './fieldHealthCodec';

export function writeFairness(f: Fairness): Uint8Array {
  const w = new ByteWriter();
  let count = 0;
  for (const versions of f.byName.values()) count += versions.size;
  w.u32(count);
  for (const versions of f.byName.values()) {
    for (const fv of versions.values()) {
      writeVersionHead(w, fv);
      w.u32(fv.checks.size);
      for (const [fp, ring] of fv.checks) {
        w.str(fp);
        w.u32(ring.width);
        writeRing(w, ring);
      }
    }
  }
  return w.bytes();
}

/** Into `f` (built from the configured checks). */
export function readFairness(r: ByteReader, f: Fairness): void {
  const widths = new Map(f.compiled.map((c) => [c.fingerprint, c.width]));
  const count = r.u32();
  const seen = new Set<string>();
  for (let v = 0; v < count; v++) {
    const fv = readVersionHead(r, seen, (name, version, owner) => new FairnessVersion(name, version, owner));
    const checks = r.u32();
    for (let c = 0; c < checks; c++) {
      const fp = r.str();
      const width = r.u32();
      check(width >= 4 && width % 2 === 0 && width <= 64 && !fv.checks.has(fp));
      const ring = new CountRing(width);
      readRing(r, ring);
      const wanted = widths.get(fp);
      if (wanted === undefined) continue; // the check changed or went: its counts are dropped
      check(wanted === width);
      fv.checks.set(fp, ring);
    }
    f.restored(fv);
  }
}

function check(ok: boolean): void {
  if (!ok) throw new CorruptSection('corrupt');
}
