// Display names of users, sites and groups, and the sites in tree order: for
// showing only, never to decide. Read from the organisation as the engine
// holds it now (`snapshotNow`), built once per change of the data and shared
// by every screen.

import type { Snapshot } from 'calm-access';
import { snapshotNow } from '../store';

/** Id -> display name; an id without a name (or unknown) is shown as itself. */
export interface Names {
  user: (id: string) => string;
  site: (id: string) => string;
  group: (id: string) => string;
}

export interface SiteRow {
  id: string;
  name: string;
  depth: number;
}

type Entry = { names: Names; tree: SiteRow[]; others?: Map<string, string> };

// Keyed on the snapshot: snapshotNow() gives the same object until the data changes.
const built = new WeakMap<Snapshot, Entry>();

function lookup(items: { id: string; name?: string }[] | undefined): (id: string) => string {
  const map = new Map<string, string>();
  // The first of an id wins, as a search of the list would find it.
  for (const item of items ?? []) if (!map.has(item.id)) map.set(item.id, item.name ?? item.id);
  return (id) => map.get(id) ?? id;
}

function tree(sites: Snapshot['sites']): SiteRow[] {
  const children = new Map<string | undefined, typeof sites>();
  for (const site of sites) {
    // A site whose parent is not in the list is shown at the top.
    const parent = sites.some((s) => s.id === site.parent) ? site.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), site]);
  }
  const out: SiteRow[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const site of children.get(parent) ?? []) {
      out.push({ id: site.id, name: site.name ?? site.id, depth });
      walk(site.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

function forNow(): Entry {
  const snapshot = snapshotNow();
  let entry = built.get(snapshot);
  if (entry === undefined) {
    const names = { user: lookup(snapshot.users), site: lookup(snapshot.sites), group: lookup(snapshot.groups) };
    entry = { names, tree: tree(snapshot.sites) };
    built.set(snapshot, entry);
  }
  return entry;
}

/** Display names of the organisation as it is now. */
export function names(): Names {
  return forNow().names;
}

/** The sites of the organisation in tree order (parents before children), with their depth. */
export function siteTree(): SiteRow[] {
  return forNow().tree;
}

type Named = { id: string; name?: string; title?: string };

/**
 * Id -> what to call it, for the other things of the organisation a message
 * may name: courses (“title”), records (“Name's record”), companies,
 * training (the training “title”) and assessment questions (their number).
 * Built the first time a message asks, once per change of the data.
 */
function others(snapshot: Snapshot): Map<string, string> {
  const map = new Map<string, string>();
  const add = (items: Named[] | undefined, format: (n: string) => string = (n) => n) => {
    for (const item of items ?? []) {
      const name = item.name ?? item.title;
      if (name !== undefined && !map.has(item.id)) map.set(item.id, format(name));
    }
  };
  const any = snapshot as unknown as {
    training?: { courses?: Named[]; fulfillments?: { id: string; course: string }[] };
    personnel?: { records?: Named[]; companies?: Named[] };
  };
  add(any.training?.courses, (t) => `“${t}”`);
  add(any.personnel?.records, (n) => `${n}'s record`);
  add(any.personnel?.companies);
  // Questions of assessments, by their place in the assessment (the first course to use an id wins).
  type Step = { assessment?: { questions?: { id: string }[] } };
  for (const course of (any.training?.courses ?? []) as (Named & { steps?: Step[] })[]) {
    for (const step of course.steps ?? []) {
      (step.assessment?.questions ?? []).forEach((q, i) => {
        if (!map.has(q.id)) map.set(q.id, String(i + 1));
      });
    }
  }
  const titles = new Map((any.training?.courses ?? []).map((c) => [c.id, c.title ?? c.name ?? 'a course']));
  for (const f of any.training?.fulfillments ?? []) {
    if (!map.has(f.id)) map.set(f.id, `the training “${titles.get(f.course) ?? 'a course'}”`);
  }
  return map;
}

/**
 * What to call the thing `id` names, whatever kind it is (a person, a site,
 * a group first, then a course, record, company, training or question), or
 * undefined when the organisation as it is now does not name it.
 */
export function nameOf(id: string): string | undefined {
  const entry = forNow();
  for (const find of [entry.names.user, entry.names.site, entry.names.group]) {
    const name = find(id);
    if (name !== id) return name;
  }
  entry.others ??= others(snapshotNow());
  return entry.others.get(id);
}
