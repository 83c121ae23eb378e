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

// Keyed on the snapshot: snapshotNow() gives the same object until the data changes.
const built = new WeakMap<Snapshot, { names: Names; tree: SiteRow[] }>();

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

function forNow(): { names: Names; tree: SiteRow[] } {
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
