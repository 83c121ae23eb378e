// Types of the framework adapters `calm-access/preact` and `calm-access/react`
// (one implementation, js/adapter.js). Everything they answer is the engine's.

import type { ActionId, Command, CommandResult, Decision, Engine, Requirements, Target } from './index.js';

/** Children of `<Can>`: elements, or a function of the decision (render prop). */
type CanChildren = unknown | ((decision: Decision) => unknown);

/** Props of `<AccessProvider>`. */
export interface AccessProviderProps {
  /** The engine, with a snapshot loaded. */
  engine: Engine;
  /** The signed-in user's id; every useCan / <Can> below asks for them. */
  user: string;
  children?: unknown;
}

/**
 * What the provider holds. Answers are memoised per (user, action, target)
 * and asked again when the engine changes (`engine.subscribe`, through
 * `useSyncExternalStore`): nothing is threaded through to refresh them.
 */
export interface Access {
  engine: Engine;
  user: string;
}

/** The context, for class components or custom hooks. */
export declare const AccessContext: unknown;

/**
 * Makes the engine and the signed-in user available to useCan and <Can>.
 *
 * @example
 * <AccessProvider engine={engine} user={me}><App /></AccessProvider>
 */
export declare function AccessProvider(props: AccessProviderProps): any;

/** The provider's value. @throws {Error} outside an <AccessProvider>. */
export declare function useAccess(): Access;

/**
 * The engine's `revision`, re-rendering the caller whenever the engine
 * changes (a load, an applied command): the dependency for memoising other
 * engine answers (views, questions).
 *
 * @example
 * const revision = useRevision();
 * const courses = useMemo(() => engine.myCourses(me, today), [engine, me, today, revision]);
 */
export declare function useRevision(): number;

/** The engine's full decision for the signed-in user (message, rule, what would allow it). */
export declare function useDecision(action: ActionId, target?: Target): Decision;

/**
 * Whether the signed-in user may do `action` at `target`.
 *
 * @example
 * const canAssign = useCan('training.course.assign', { course: course.id });
 */
export declare function useCan(action: ActionId, target?: Target): boolean;

/** `engine.dryRun(command)` (null for null): gates a button on the state too, e.g. Publish on W2. */
export declare function useDryRun(command: Command | null | undefined): CommandResult | null;

/** Props of `<Can>`. */
export interface CanProps {
  action: ActionId;
  target?: Target;
  /** Rendered when allowed; a function gets the decision and renders in both cases. */
  children?: CanChildren;
  /** Rendered when denied (a function gets the denial). Default: nothing. */
  fallback?: unknown | ((decision: Decision) => unknown);
}

/**
 * Renders its children only when the signed-in user may do `action`.
 *
 * @example
 * <Can action="personnel.record.create" target="north" fallback={(d) => <p>{d.message}</p>}>
 *   <button>New record</button>
 * </Can>
 */
export declare function Can(props: CanProps): any;

/**
 * What would allow a denial, as one sentence ("Allowed with a personnel
 * manager role at North Campus."), made from the engine's `requires`; '' when
 * it names nothing. `names.site` turns a site's id into the name to show
 * (the id itself without it).
 */
export declare function describeRequirements(
  requires: Requirements | undefined,
  names?: { site?: (id: string) => string },
): string;
