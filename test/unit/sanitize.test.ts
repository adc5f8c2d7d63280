import { formatTag, isValidMetricName, sanitizeMetricField } from '../../src/map/sanitize';

describe('sanitizeMetricField', () => {
  it.each([
    ['risk_score', 'risk_score'],
    ['risk score', 'risk_score'],
    ['risk|score', 'risk_score'],
    ['a:b#c,d', 'a_b_c_d'],
    ['1st_metric', '1st_metric'],
    ['_x', '_x'],
    ['model.accuracy', 'model.accuracy'],
    ['Ünïcode', '_n_code'],
    ['line\nbreak', 'line_break'],
    ['', undefined],
    ['___', undefined],
    ['💥', undefined],
    ['.x', undefined],
    ['x.', undefined],
    ['a..b', undefined],
  ])('%j -> %j', (field, expected) => {
    expect(sanitizeMetricField(field)).toBe(expected);
  });
});

describe('isValidMetricName', () => {
  it.each([
    ['algorithmia.x', true],
    ['algorithmia.1x', true],
    ['1x', false],
    ['a'.repeat(200), true],
    ['a'.repeat(201), false],
    ['a b', false],
  ])('%s -> %s', (name, ok) => expect(isValidMetricName(name)).toBe(ok));
});

describe('formatTag', () => {
  it.each([
    ['algorithm_name', 'credit_card_approval', 'algorithm_name:credit_card_approval'],
    ['algorithm_version', '1.0.6', 'algorithm_version:1.0.6'],
    ['algorithm_version', 3, 'algorithm_version:3'],
    ['algorithm_owner', 'a|b,c#d e\nf\u0000g', 'algorithm_owner:a_b_c_d_e_f_g'],
    ['algorithm_owner', 'müller', 'algorithm_owner:müller'],
    ['algorithm_owner', 'x:y/z-w.v', 'algorithm_owner:x:y/z-w.v'],
    ['algorithm_owner', '', undefined],
    ['algorithm_owner', null, undefined],
    ['algorithm_owner', { a: 1 }, undefined],
    ['algorithm_owner', Number.NaN, undefined],
  ])('%s=%j', (key, value, expected) => {
    expect(formatTag(key, value)).toBe(expected);
  });

  it('truncates so the whole tag is at most 200 characters', () => {
    const tag = formatTag('algorithm_name', 'n'.repeat(500)) as string;
    expect(tag.length).toBe(200);
    expect(tag.startsWith('algorithm_name:nnn')).toBe(true);
  });

  it('never splits a surrogate pair when truncating', () => {
    const tag = formatTag('k', '𝔘'.repeat(150)) as string;
    expect(tag.length).toBeLessThanOrEqual(200);
    expect(tag).toBe('k:' + '𝔘'.repeat(99));
  });
});
