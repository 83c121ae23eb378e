// calm-access for Preact: <AccessProvider>, useCan, useDecision, useDryRun,
// <Can>, useRevision. Types and documentation: adapter.d.ts.
import { createContext, createElement } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { useSyncExternalStore } from 'preact/compat';
import { bindAdapter } from './adapter.js';

export { describeRequirements } from './adapter.js';
export const { AccessContext, AccessProvider, useAccess, useRevision, useDecision, useCan, useDryRun, Can } = bindAdapter({
  createContext,
  createElement,
  useContext,
  useMemo,
  useSyncExternalStore,
});
