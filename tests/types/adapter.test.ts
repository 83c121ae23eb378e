// Type test for js/adapter.d.ts (`calm-access/preact`, `calm-access/react`),
// compiled by `tsc --noEmit -p tests/types`, never run. Every
// `@ts-expect-error` line must fail to compile.

import { createEngine, type Decision } from 'calm-access';
import { Can, describeRequirements, useCan, useDecision, useDryRun, type CanProps } from 'calm-access/preact';
import * as react from 'calm-access/react';

const engine = await createEngine();
export const provider = react.AccessProvider({ engine, user: 'u-1' });

export const can: boolean = useCan('training.course.create', 'north');
export const decision: Decision = useDecision('training.course.view', { course: 'c-1' });
export const dry = useDryRun({ id: 'c', type: 'course.publish', actor: 'u-1', at: '2026-01-01T00:00:00Z', course: 'c-1' });
export const ok: boolean | undefined = dry?.ok;
export const why: string = describeRequirements(decision.requires);
export const props: CanProps = { action: 'users.view', target: 'north', fallback: (d: Decision) => d.message };
export const rendered = Can(props);

// @ts-expect-error an action that is not in the table
useCan('training.course.fly', 'north');
// @ts-expect-error the provider needs the engine
react.AccessProvider({ user: 'u-1' });

// The engine's revision and subscribe, and the adapters' useRevision.
export const revision: number = engine.revision;
export const stop: () => void = engine.subscribe(() => {});
export const seen: number = react.useRevision();
