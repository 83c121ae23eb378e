// Helpers shared by the Settings screens: names of sites and users for
// display, and how a view's error is shown. Nothing here decides anything.

import { ForbiddenError, QueryError, type Engine } from 'calm-access';
import { Denied } from '../../ui/gate';
import { snapshotNow } from '../../store';

export interface SiteRow {
  id: string;
  name: string;
  depth: number;
}

/** The sites of the organisation in tree order (parents before children), with their depth. */
export function siteTree(engine: Engine): SiteRow[] {
  const sites = snapshotNow().sites;
  const children = new Map<string | undefined, typeof sites>();
  for (const site of sites) {
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

/** Display names: site id -> name, user id -> name. */
export function names(engine: Engine): { site: (id: string) => string; user: (id: string) => string } {
  const snapshot = snapshotNow();
  const sites = new Map(snapshot.sites.map((s) => [s.id, s.name ?? s.id]));
  const users = new Map(snapshot.users.map((u) => [u.id, u.name ?? u.id]));
  return { site: (id) => sites.get(id) ?? id, user: (id) => users.get(id) ?? id };
}

/** A view's error as the page shows it: the engine's denial, or a notice naming the problem. */
export function ViewError({ error, title }: { error: unknown; title: string }) {
  if (error instanceof ForbiddenError) return <Denied decision={error.decision} title={title} />;
  const message =
    error instanceof QueryError
      ? error.errors.map((e) => e.message).join('; ')
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div class="notice notice-error" role="alert">
      {title}: {message}
    </div>
  );
}
