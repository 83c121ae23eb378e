// Settings > User Management (ACCESS.md S1-S3, sections 9-10): the users of
// the organisation, View Access (engine.roles: the effective role per site and
// module with where it came from), and Edit Access, where every change made on
// the page is kept as a pending change, their sum previewed with
// engine.whatIf (allowed or the first refusal, and the actions each person
// gains and loses), and Save applies them with one access.batch: all or nothing.
//
// Nothing here decides: the screens ask useDecision, the dry run of each
// command (CommandButton) and the engine's views.

import type { AccessBatch, AccessBatchChange, CommandResult, EffectiveRole, Engine, Role, RoleSource, WhatIf } from 'calm-access';
import { useDecision, useRevision } from 'calm-access/preact';
import { useMemo, useState } from 'preact/hooks';
import { href } from '../../route';
import { type CommandFields, run, snapshotNow, useStore } from '../../store';
import { actionWords } from '../../ui/actions';
import { CommandButton, Denied, GateLink, reasonOf, refusalOf } from '../../ui/gate';
import { names, siteTree, type Names } from '../../ui/names';
import { noAnswer, Unanswered } from '../../ui/view';
import { Pager, SearchBox, usePaged } from '../../ui/paged';

const ROLES: Role[] = ['none', 'member', 'manager', 'admin'];

/** The effective roles of a user (engine.roles), or the error the view threw. */
function rolesOf(engine: Engine, user: string): { rows: EffectiveRole[] } | { error: unknown } {
  try {
    return { rows: engine.roles(user) };
  } catch (error) {
    return { error };
  }
}

/**
 * The modules to show as columns: the ones the engine always knows, the ones
 * the subscription names, and any the roles view reports (display only: the
 * role of each cell is the engine's).
 */
function modulesOf(engine: Engine, rows: EffectiveRole[]): string[] {
  const snapshot = snapshotNow();
  const out = ['site', 'personnel', 'premises', ...(snapshot.organisation.entitlements ?? [])];
  for (const t of snapshot.templates ?? []) out.push(...Object.keys(t.roles));
  for (const r of rows) out.push(r.module);
  return [...new Set(out)];
}

function sourceText(source: RoleSource, n: Names): string {
  switch (source.kind) {
    case 'direct':
      return 'direct';
    case 'cascade':
      return `cascade from ${n.site(source.from ?? '')}`;
    case 'implied':
      return `implied by child ${n.site(source.from ?? '')}`;
    case 'owner':
      return 'owner';
  }
}

function roleBadge(role: Role) {
  const cls = role === 'admin' ? 'badge badge-ok' : role === 'none' ? 'badge' : 'badge badge-warn';
  return <span class={`${cls} role-${role}`}>{role}</span>;
}

const isOwner = (rows: EffectiveRole[]) => rows.some((r) => r.sources.some((s) => s.kind === 'owner'));

export function UserManagement({ target }: { target?: string }) {
  const state = useStore();
  const view = useDecision('users.view', state.site);
  const n = names();
  if (!view.allowed)
    return (
      <section class="user-management">
        <h1>User Management</h1>
        <Denied decision={view} title={`You cannot manage users at ${n.site(state.site)}`} />
      </section>
    );
  return (
    <section class="user-management">
      <h1>User Management</h1>
      <p class="muted">
        At <strong>{n.site(state.site)}</strong>. Change the site in the header to manage access elsewhere.
      </p>
      {target === undefined ? <UserList /> : <UserAccess target={target} />}
    </section>
  );
}

function UserList() {
  const state = useStore();
  const revision = useRevision();
  const { engine, site } = state;
  const n = names();
  const users = snapshotNow().users;
  const paged = usePaged(users, (u) => `${u.name ?? ''} ${u.email ?? ''} ${typeof u.jobTitle === 'string' ? u.jobTitle : ''}`);
  // The roles view of each user shown (one page), kept while nothing changes.
  const roles = useMemo(() => new Map(paged.shown.map((u) => [u.id, rolesOf(engine, u.id)])), [engine, revision, paged.shown]);
  return (
    <div class="card">
      <h2>People with an account</h2>
      <SearchBox paged={paged} label="Search people" testid="user-search" />
      <table data-testid="user-list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Access at {n.site(site)}</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {paged.shown.map((u) => {
            const answer = roles.get(u.id);
            const rows = answer !== undefined && 'rows' in answer ? answer.rows : [];
            const here = rows.filter((r) => r.site === site && r.role !== 'none');
            return (
              <tr key={u.id} data-testid="user-row" data-user={u.id}>
                <th scope="row">
                  {u.name ?? u.id}
                  {typeof u.jobTitle === 'string' && <div class="muted small">{u.jobTitle}</div>}
                </th>
                <td>{u.email ?? ''}</td>
                <td>
                  <span class="row">
                    {isOwner(rows) && <span class="badge badge-ok">owner</span>}
                    {here.length === 0 && !isOwner(rows) && <span class="muted">no access here</span>}
                    {!isOwner(rows) &&
                      here.map((r) => (
                        <span key={r.module} class="badge">
                          {r.module}: {r.role}
                        </span>
                      ))}
                  </span>
                </td>
                <td>
                  <GateLink
                    action="users.access.view"
                    target={{ site, target: u.id }}
                    href={href('settings', 'users', u.id)}
                  >
                    View Access
                  </GateLink>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Pager paged={paged} testid="user-pager" />
    </div>
  );
}

function UserAccess({ target }: { target: string }) {
  const state = useStore();
  const revision = useRevision();
  const { engine, site } = state;
  const n = names();
  const viewAccess = useDecision('users.access.view', { site, target });
  const editAccess = useDecision('users.access.edit', { site, target });
  const answer = useMemo(() => rolesOf(engine, target), [engine, target, revision]);
  const back = (
    <p>
      <GateLink action="users.view" target={site} href={href('settings', 'users')}>
        ← All users
      </GateLink>
    </p>
  );
  if (!viewAccess.allowed)
    return (
      <>
        {back}
        <Denied decision={viewAccess} title="View Access" />
      </>
    );
  if ('error' in answer)
    return (
      <>
        {back}
        <Unanswered answer={noAnswer(answer.error)} title="View Access" />
      </>
    );
  const rows = answer.rows;
  return (
    <>
      {back}
      <h2 class="user-heading">
        {n.user(target)} {isOwner(rows) && <span class="badge badge-ok">owner</span>}
      </h2>
      <ViewAccess rows={rows} modules={modulesOf(engine, rows)} n={n} />
      {editAccess.allowed ? (
        <EditAccess target={target} rows={rows} modules={modulesOf(engine, rows)} n={n} />
      ) : (
        <Denied decision={editAccess} title="Edit Access" />
      )}
    </>
  );
}

function ViewAccess({ rows, modules, n }: { rows: EffectiveRole[]; modules: string[]; n: Names }) {
  const { site: current } = useStore();
  const sites = siteTree();
  const cell = new Map(rows.map((r) => [`${r.site}\u0000${r.module}`, r]));
  return (
    <div class="card" data-testid="view-access">
      <h3>View Access</h3>
      <p class="muted">The effective role per site and module, and where each came from.</p>
      <div class="table-scroll">
        <table class="access-table">
          <thead>
            <tr>
              <th scope="col">Site</th>
              {modules.map((m) => (
                <th key={m} scope="col">
                  {m}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={s.id} class={s.id === current ? 'current-site' : undefined}>
                <th scope="row" style={{ paddingLeft: `${0.6 + s.depth * 1.1}rem` }}>
                  {s.name}
                </th>
                {modules.map((m) => {
                  const r = cell.get(`${s.id}\u0000${m}`);
                  const role: Role = r?.role ?? 'none';
                  return (
                    <td key={m} data-testid="role-cell" data-site={s.id} data-module={m} data-role={role}>
                      {roleBadge(role)}
                      {r !== undefined && !r.entitled && <div class="muted small">not entitled</div>}
                      {r !== undefined && r.sources.length > 0 && (
                        <ul class="sources">
                          {r.sources.map((src, i) => (
                            <li key={i} data-kind={src.kind}>
                              {src.role} · {sourceText(src, n)}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** What a change of `user`'s access does, in words. */
function describeChange(user: string, c: AccessBatchChange, n: Names): string {
  const who = n.user(user);
  const at = c.site === undefined ? '' : ` at ${n.site(c.site)}`;
  const children = c.includeChildSites === true ? ', including child sites' : '';
  switch (c.type) {
    case 'access.set':
      return `Set ${who}'s ${String(c.module)} role to ${String(c.role)}${at}${children}`;
    case 'access.setAll':
      return `Set every module of ${who} to ${String(c.role)}${at}${children}`;
    case 'access.applyTemplate':
      return `Apply the template ${String(c.template)} to ${who}${at}${children}`;
    case 'access.remove':
      return `Remove ${who}'s ${String(c.module)} access${at}`;
    case 'owner.set':
      return `Make ${who} an owner of the organisation`;
    case 'owner.unset':
      return `Remove ${who} as an owner of the organisation`;
  }
}

/**
 * The pending changes with `change` added: a later choice for the same module
 * at the same site (or the owner) replaces the earlier one in place; Set All
 * and templates add to the list. Only a list the person made: the engine
 * checks the sum (whatIf, then one access.batch).
 */
function withChange(changes: AccessBatchChange[], change: AccessBatchChange): AccessBatchChange[] {
  const sameModule = (c: AccessBatchChange) =>
    (c.type === 'access.set' || c.type === 'access.remove') &&
    (change.type === 'access.set' || change.type === 'access.remove') &&
    c.site === change.site &&
    c.module === change.module;
  const sameOwner = (c: AccessBatchChange) => c.type.startsWith('owner.') && change.type.startsWith('owner.');
  const at = changes.findIndex((c) => sameModule(c) || sameOwner(c));
  if (at < 0) return [...changes, change];
  return changes.map((c, i) => (i === at ? change : c));
}

/**
 * The pending changes of one editor for one person, kept outside the
 * component so that they outlive a change of site in the header (which
 * renders the screen anew) until they are saved or discarded.
 */
const pendingChanges = new Map<string, AccessBatchChange[]>();

function usePendingChanges(key: string): [AccessBatchChange[], (next: (list: AccessBatchChange[]) => AccessBatchChange[]) => void] {
  const [, rerender] = useState(0);
  const list = pendingChanges.get(key) ?? [];
  const update = (next: (list: AccessBatchChange[]) => AccessBatchChange[]) => {
    const value = next(pendingChanges.get(key) ?? []);
    if (value.length === 0) pendingChanges.delete(key);
    else pendingChanges.set(key, value);
    rerender((k) => k + 1);
  };
  return [list, update];
}

/** The index of the change a refusal's path names (`/changes/<i>`), if any. */
function refusedIndex(path: string | undefined): number | undefined {
  const m = /^\/changes\/(\d+)/.exec(path ?? '');
  return m === null ? undefined : Number(m[1]);
}

/** The "include child sites" choice of Set All and of the templates. */
function ChildSitesBox({ testid, checked, onChange }: { testid: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <label>
      <input
        type="checkbox"
        data-testid={testid}
        checked={checked}
        onChange={(e) => onChange((e.target as HTMLInputElement).checked)}
      />{' '}
      include child sites
    </label>
  );
}

function EditAccess({
  target,
  rows,
  modules,
  n,
}: {
  target: string;
  rows: EffectiveRole[];
  modules: string[];
  n: Names;
}) {
  const state = useStore();
  const { site } = state;
  // Every change made on the page, in order, until it is saved or discarded.
  const [changes, setChanges] = usePendingChanges(`${state.user}\u0000${target}`);
  const [setAllRole, setSetAllRole] = useState<Role>('member');
  const [setAllChildren, setSetAllChildren] = useState(false);
  const [templateChildren, setTemplateChildren] = useState(false);
  const [result, setResult] = useState<{ changes: AccessBatchChange[]; result: CommandResult } | null>(null);
  const templates = snapshotNow().templates ?? [];

  // The current direct role of each module here, and whether its grant
  // cascades to the child sites, from the roles view.
  const here = new Map(rows.filter((r) => r.site === site).map((r) => [r.module, r]));
  const direct = (m: string): Role => here.get(m)?.sources.find((s) => s.kind === 'direct')?.role ?? 'none';
  const cascades = (m: string) =>
    here.get(m)?.sources.some((s) => s.kind === 'direct' && s.includeChildSites === true) ?? false;

  const stage = (change: AccessBatchChange) => {
    setResult(null);
    setChanges((list) => withChange(list, change));
  };
  // The pending choice for a module at this site, shown in its row.
  const pendingFor = (m: string) =>
    changes.find((c) => (c.type === 'access.set' || c.type === 'access.remove') && c.site === site && c.module === m);
  const setModule = (m: string, role: Role, include: boolean) =>
    stage({ type: 'access.set', site, module: m, role, includeChildSites: include });

  const owner = isOwner(rows);
  return (
    <div class="card edit-access" data-testid="edit-access">
      <h3>Edit Access at {n.site(site)}</h3>
      <p class="muted">
        Every change you make here is kept as a pending change (at any site: change the site in the header to add
        changes there), previewed together, and saved together, all or nothing. The engine checks each change: you can
        give a role only up to your own.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Module</th>
            <th scope="col">Role here</th>
            <th scope="col">Include child sites</th>
            <th scope="col">
              <span class="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {modules.map((m) => {
            const p = pendingFor(m);
            const role: Role = p === undefined ? direct(m) : p.type === 'access.remove' ? 'none' : (p.role ?? 'none');
            const include = p === undefined ? cascades(m) : p.includeChildSites === true;
            const id = `role-${m}`;
            return (
              <tr key={m} data-testid="module-row" data-module={m} class={p !== undefined ? 'changed' : undefined}>
                <th scope="row">
                  <label for={id}>{m}</label>
                </th>
                <td>
                  <select
                    id={id}
                    data-testid="role-select"
                    data-module={m}
                    value={role}
                    onChange={(e) => setModule(m, (e.target as HTMLSelectElement).value as Role, include)}
                  >
                    {ROLES.filter((r) => r === role || r === direct(m) || state.engine.can(state.user, 'users.access.set', { site, target, module: m, role: r })).map(
                      (r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ),
                    )}
                  </select>
                </td>
                <td>
                  <label>
                    <input
                      type="checkbox"
                      data-testid="include-children"
                      data-module={m}
                      checked={include}
                      onChange={(e) => setModule(m, role, (e.target as HTMLInputElement).checked)}
                    />{' '}
                    <span class="visually-hidden">{m}: </span>include child sites
                  </label>
                </td>
                <td>
                  {direct(m) !== 'none' && (
                    <CommandButton
                      variant="danger"
                      data-testid="access-remove"
                      data-module={m}
                      fields={{ type: 'access.remove', user: target, site, module: m }}
                      onClick={() => stage({ type: 'access.remove', site, module: m })}
                    >
                      Remove {m} access
                    </CommandButton>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <div class="row edit-options">
        <label for="set-all-role">Set all modules to</label>
        <select
          id="set-all-role"
          data-testid="set-all-role"
          value={setAllRole}
          onChange={(e) => setSetAllRole((e.target as HTMLSelectElement).value as Role)}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <ChildSitesBox testid="set-all-children" checked={setAllChildren} onChange={setSetAllChildren} />
        <CommandButton
          data-testid="access-set-all"
          fields={{ type: 'access.setAll', user: target, site, role: setAllRole, includeChildSites: setAllChildren }}
          onClick={() => stage({ type: 'access.setAll', site, role: setAllRole, includeChildSites: setAllChildren })}
        >
          Set All
        </CommandButton>
      </div>

      {templates.length > 0 && (
        <div class="stack">
          <h4>Templates</h4>
          <ChildSitesBox testid="template-children" checked={templateChildren} onChange={setTemplateChildren} />
          <ul class="templates">
            {templates.map((t) => {
              const change: AccessBatchChange = {
                type: 'access.applyTemplate',
                site,
                template: t.id,
                includeChildSites: templateChildren,
              };
              return (
                <li key={t.id} class="row">
                  <CommandButton
                    data-testid="access-template"
                    data-template={t.id}
                    fields={{ ...change, user: target }}
                    onClick={() => stage(change)}
                  >
                    Apply {t.name ?? t.id}
                  </CommandButton>
                  <span class="muted small">
                    {Object.entries(t.roles)
                      .map(([m, r]) => `${m}: ${r}`)
                      .join(', ')}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      )}

      <div class="row edit-options">
        <span>Owner of the organisation:</span>
        {owner ? (
          <CommandButton
            variant="danger"
            data-testid="owner-unset"
            fields={{ type: 'owner.unset', user: target }}
            onClick={() => stage({ type: 'owner.unset' })}
          >
            Remove as owner
          </CommandButton>
        ) : (
          <CommandButton
            data-testid="owner-set"
            fields={{ type: 'owner.set', user: target }}
            onClick={() => stage({ type: 'owner.set' })}
          >
            Make owner
          </CommandButton>
        )}
      </div>

      {changes.length > 0 && (
        <Preview
          target={target}
          changes={changes}
          n={n}
          onRemove={(i) => setChanges((list) => list.filter((_, k) => k !== i))}
          onSaved={(r) => {
            setResult({ changes, result: r });
            if (r.ok) setChanges(() => []);
          }}
          onDiscard={() => setChanges(() => [])}
        />
      )}
      {result !== null && (
        <div
          class={result.result.ok ? 'notice' : 'notice notice-error'}
          role="status"
          data-testid="access-result"
          data-ok={String(result.result.ok)}
        >
          {result.result.ok
            ? `Saved ${result.changes.length} ${result.changes.length === 1 ? 'change' : 'changes'}: ${result.changes
                .map((c) => describeChange(target, c, n))
                .join('; ')}.`
            : `Nothing saved: ${refusalOf(result.result)}`}
        </div>
      )}
    </div>
  );
}

function Preview({
  target,
  changes,
  n,
  onRemove,
  onSaved,
  onDiscard,
}: {
  target: string;
  changes: AccessBatchChange[];
  n: Names;
  onRemove: (index: number) => void;
  onSaved: (result: CommandResult) => void;
  onDiscard: () => void;
}) {
  const state = useStore();
  const revision = useRevision();
  const batch: AccessBatch = { user: target, changes };
  const key = JSON.stringify(batch);
  // The sum of every pending change, as the one access.batch Save sends.
  const answer = useMemo((): { whatIf: WhatIf } | { error: unknown } => {
    try {
      return { whatIf: state.engine.whatIf(state.user, batch) };
    } catch (error) {
      return { error };
    }
  }, [state.engine, state.user, revision, key]);
  const refused = 'whatIf' in answer ? refusedIndex(answer.whatIf.path) : undefined;
  const fields: CommandFields = { type: 'access.batch', ...batch };
  return (
    <div class="whatif" data-testid="whatif" data-allowed={'whatIf' in answer ? String(answer.whatIf.allowed) : 'false'}>
      <h4>Before you save</h4>
      <ol class="pending-changes" data-testid="pending-changes">
        {changes.map((c, i) => (
          <li key={i} data-testid="pending-change" data-index={i} data-refused={String(i === refused)}>
            <strong>{describeChange(target, c, n)}</strong>
            {i === refused && <span class="badge badge-danger"> refused</span>}{' '}
            <button
              type="button"
              class="btn btn-plain"
              data-testid="pending-remove"
              aria-label={`Take back: ${describeChange(target, c, n)}`}
              onClick={() => onRemove(i)}
            >
              Take back
            </button>
          </li>
        ))}
      </ol>
      {'error' in answer ? (
        <Unanswered answer={noAnswer(answer.error)} title="Preview" />
      ) : (
        <>
          {answer.whatIf.allowed ? (
            <p>
              <span class="badge badge-ok">allowed</span> You may make {changes.length === 1 ? 'this change' : 'these changes'}.
            </p>
          ) : (
            <p class="notice notice-error" data-testid="whatif-refusal">
              <span class="badge badge-danger">refused</span>{' '}
              {refused !== undefined && changes[refused] !== undefined
                ? `${describeChange(target, changes[refused], n)}: `
                : ''}
              {reasonOf(answer.whatIf.decision)} Nothing is saved unless every change is allowed.
            </p>
          )}
          {answer.whatIf.changes.length === 0 ? (
            <p class="muted">Nobody would gain or lose anything.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Site</th>
                  <th scope="col">Gains</th>
                  <th scope="col">Loses</th>
                </tr>
              </thead>
              <tbody>
                {answer.whatIf.changes.map((c) => (
                  <tr
                    key={`${c.user}@${c.site}`}
                    data-testid="whatif-change"
                    data-user={c.user}
                    data-site={c.site}
                    data-gained={c.gained.length}
                    data-lost={c.lost.length}
                  >
                    <td>{n.user(c.user)}</td>
                    <td>{n.site(c.site)}</td>
                    <td>
                      <ActionList actions={c.gained} kind="gained" />
                    </td>
                    <td>
                      <ActionList actions={c.lost} kind="lost" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <div class="row">
        <CommandButton variant="primary" data-testid="access-save" fields={fields} onClick={() => onSaved(run(fields))}>
          Save {changes.length === 1 ? 'the change' : `all ${changes.length} changes`}
        </CommandButton>
        <button type="button" class="btn btn-plain" data-testid="access-discard" onClick={onDiscard}>
          Discard
        </button>
      </div>
    </div>
  );
}

function ActionList({ actions, kind }: { actions: string[]; kind: 'gained' | 'lost' }) {
  if (actions.length === 0) return <span class="muted">nothing</span>;
  return (
    <details>
      <summary>
        <span class={kind === 'gained' ? 'badge badge-ok' : 'badge badge-danger'}>
          {kind === 'gained' ? '+' : '−'}
          {actions.length} {actions.length === 1 ? 'action' : 'actions'}
        </span>
      </summary>
      <ul class="action-list">
        {actions.map((a) => (
          <li key={a} data-action={a}>
            {actionWords(a)}
          </li>
        ))}
      </ul>
    </details>
  );
}
