// calm-access for React: <AccessProvider>, useCan, useDecision, useDryRun,
// <Can>, useRevision. Types and documentation: adapter.d.ts.
import { createContext, createElement, useContext, useMemo, useSyncExternalStore } from 'react';
import { bindAdapter } from './adapter.js';

export { describeRequirements } from './adapter.js';
export const { AccessContext, AccessProvider, useAccess, useRevision, useDecision, useCan, useDryRun, Can } = bindAdapter({
  createContext,
  createElement,
  useContext,
  useMemo,
  useSyncExternalStore,
});
