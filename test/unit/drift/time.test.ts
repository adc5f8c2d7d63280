import { driftMessageTime } from '../../../src/drift';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const KAFKA = NOW - 5_000;
const ARRIVAL = NOW - 1_000;

describe('driftMessageTime', () => {
  test.each<[string, string | undefined, number | undefined, number]>([
    ['message time (zone-less, UTC)', '2026-01-01T11:00:00', KAFKA, Date.UTC(2026, 0, 1, 11)],
    ['message time with fraction', '2026-01-01T11:00:00.250', KAFKA, Date.UTC(2026, 0, 1, 11) + 250],
    ['message time exactly 10 min ahead', '2026-01-01T12:10:00', KAFKA, NOW + 600_000],
    ['message time 10 min + 1 ms ahead -> Kafka', '2026-01-01T12:10:00.001', KAFKA, KAFKA],
    ['unparsable -> Kafka', 'yesterday', KAFKA, KAFKA],
    ['absent -> Kafka', undefined, KAFKA, KAFKA],
    ['no Kafka timestamp -> arrival', undefined, undefined, ARRIVAL],
    ['Kafka timestamp 0 -> arrival', 'bad', 0, ARRIVAL],
    ['Kafka timestamp -1 -> arrival', 'bad', -1, ARRIVAL],
    ['Kafka timestamp NaN -> arrival', 'bad', NaN, ARRIVAL],
  ])('%s', (_label, time, kafka, want) => {
    expect(driftMessageTime(time, kafka, ARRIVAL, NOW)).toBe(want);
  });
});
