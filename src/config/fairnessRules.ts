/**
 * Rules of an instance's `fairness` checks that the schema cannot express (issue 24). Group
 * values become tag values (`group:<value>`), so two values that would share a tag, or a
 * string and a number that read the same, are one group twice, and `other` is taken by the
 * values outside `groups`.
 */
import { formatTag } from '../map/sanitize';
import type { RawInstance } from './schema';

type Check = NonNullable<RawInstance['fairness']>[number];

const show = (v: string | number): string => JSON.stringify(v);

/** The problems of the checks of instance `i`, each with its key path. */
export function fairnessProblems(i: number, checks: readonly Check[]): string[] {
  const out: string[] = [];
  const names = new Map<string, number>();
  checks.forEach((c, j) => {
    const P = `instances[${i}].fairness[${j}]`;
    const first = names.get(c.name);
    if (first !== undefined) out.push(`${P}.name: the same name as instances[${i}].fairness[${first}].name (got ${show(c.name)}); each check needs its own`);
    else names.set(c.name, j);
    if (c.outcome === c.group_field) out.push(`${P}.group_field: must differ from outcome (got ${show(c.group_field)})`);
    if (c.positive_above !== undefined && c.positive_below !== undefined) out.push(`${P}: set only one of positive_above, positive_below`);
    const OTHER = formatTag('group', 'other');
    const byTag = new Map<string, number>();
    const byText = new Map<string, number>();
    c.groups.forEach((g, k) => {
      const at = `${P}.groups[${k}]`;
      const tag = formatTag('group', g);
      if (tag === OTHER) {
        out.push(`${at}: other is the group of the values not listed; it cannot be listed (got ${show(g)})`);
        return;
      }
      const sameText = byText.get(String(g));
      const sameTag = tag === undefined ? undefined : byTag.get(tag);
      if (sameText !== undefined) {
        const what = typeof c.groups[sameText] === typeof g ? 'the same value as' : 'reads the same as';
        out.push(`${at}: ${what} ${P}.groups[${sameText}] (got ${show(g)} and ${show(c.groups[sameText])})`);
      } else if (sameTag !== undefined) {
        out.push(`${at}: the same tag value as ${P}.groups[${sameTag}] once sanitised, ${tag} (got ${show(g)} and ${show(c.groups[sameTag])})`);
      }
      if (!byText.has(String(g))) byText.set(String(g), k);
      if (tag !== undefined && !byTag.has(tag)) byTag.set(tag, k);
    });
    // The reference is the listed value of the same type and text (a "1" for a listed 1 is not it).
    if (!c.groups.some((g) => g === c.reference_group)) out.push(`${P}.reference_group: must be one of groups (got ${show(c.reference_group)})`);
  });
  return out;
}
