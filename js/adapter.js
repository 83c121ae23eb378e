// The framework adapter behind `calm-access/preact` and `calm-access/react`:
// a provider that holds the engine and the signed-in user, a hook that asks
// the engine, and a component that renders by its answer. It decides nothing
// itself: every answer is `engine.explain` (or `engine.dryRun` for a command).
//
// Both frameworks share this file; each entry point hands it its own
// createContext, useContext, useMemo and createElement.

/**
 * @param {{ createContext: Function, useContext: Function, useMemo: Function, createElement: Function }} fw
 */
export function bindAdapter(fw) {
  const AccessContext = fw.createContext(null);

  /**
   * Makes `engine` and `user` available to the hooks and <Can> below it. The
   * engine's changes (`engine.subscribe`, `engine.revision`) re-render what
   * asked it: nothing has to be threaded through.
   */
  function AccessProvider({ engine, user, children }) {
    const value = fw.useMemo(() => ({ engine, user }), [engine, user]);
    return fw.createElement(AccessContext.Provider, { value }, children);
  }

  function useAccess() {
    const access = fw.useContext(AccessContext);
    if (access === null) throw new Error('calm-access: useCan and <Can> need an <AccessProvider> above them');
    return access;
  }

  /** The engine's revision, re-rendering the caller when it changes (useSyncExternalStore). */
  function useRevision() {
    const { engine } = useAccess();
    const subscribe = fw.useMemo(() => (listener) => engine.subscribe(listener), [engine]);
    return fw.useSyncExternalStore(subscribe, () => engine.revision, () => engine.revision);
  }

  // Targets are compared by value, so `{ course: id }` written inline does not
  // ask the engine again on every render.
  function useDecision(action, target) {
    const { engine, user } = useAccess();
    const revision = useRevision();
    const key = target === undefined ? '' : JSON.stringify(target);
    return fw.useMemo(() => engine.explain(user, action, target), [engine, user, revision, action, key]);
  }

  function useCan(action, target) {
    return useDecision(action, target).allowed;
  }

  function useDryRun(command) {
    const { engine } = useAccess();
    const revision = useRevision();
    const key = command == null ? '' : JSON.stringify(command);
    return fw.useMemo(() => (command == null ? null : engine.dryRun(command)), [engine, revision, key]);
  }

  function Can({ action, target, children = null, fallback = null }) {
    const decision = useDecision(action, target);
    if (typeof children === 'function') return children(decision);
    if (decision.allowed) return children;
    return typeof fallback === 'function' ? fallback(decision) : fallback;
  }

  return { AccessContext, AccessProvider, useAccess, useRevision, useDecision, useCan, useDryRun, Can };
}

/** "a" or "an" before `word` (by its sound's first letter, as these words go). */
const article = (word) => (/^[aeiou]/i.test(word) ? 'an' : 'a');
const CONDITIONS = {
  assigned: 'the course being assigned to you',
  'own-thread': 'having started the thread',
  'own-fulfillment': 'the training being your own',
  'calm-course': 'a Calm course (not an iHasco one)',
};

function roleText({ module, role, site }, siteName) {
  return `${article(module)} ${module} ${role} role${site ? ` at ${siteName(site)}` : ''}`;
}

/**
 * What would allow a denied decision, as one sentence for a tooltip or a
 * screen reader, from the engine's `requires` (nothing is inferred here).
 * Returns '' when the engine names nothing.
 */
export function describeRequirements(requires, names = {}) {
  if (requires == null || typeof requires !== 'object') return '';
  const siteName = typeof names.site === 'function' ? names.site : (id) => id;
  if (requires.owner) return 'Allowed for an owner of the organisation.';
  const parts = [];
  if (requires.entitlement) parts.push(`the organisation's subscription to ${requires.entitlement}`);
  if (requires.sitePermission) {
    const permission = String(requires.sitePermission).replace(/-/g, ' ');
    parts.push(`the “${permission}” site permission${requires.site ? ` at ${siteName(requires.site)}` : ''}`);
  } else if (requires.role && requires.module) {
    parts.push(roleText(requires, siteName));
  }
  if (requires.integration) {
    parts.push(`the ${requires.integration} integration connected${requires.site ? ` at ${siteName(requires.site)}` : ''}`);
  }
  if (requires.condition) parts.push(CONDITIONS[requires.condition] ?? String(requires.condition));
  let text = parts.join(', ');
  if (requires.or && typeof requires.or === 'object' && requires.or.role) text += `, or ${roleText(requires.or, siteName)}`;
  return text === '' ? '' : `Allowed with ${text}.`;
}
