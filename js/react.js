// calm-access for React: <AccessProvider>, useCan, useDecision, useDryRun,
// <Can>. Types and documentation: adapter.d.ts.
import { createContext, createElement, useContext, useMemo } from 'react';
import { bindAdapter } from './adapter.js';

export { describeRequirements } from './adapter.js';
export const { AccessContext, AccessProvider, useAccess, useDecision, useCan, useDryRun, Can } = bindAdapter({
  createContext,
  createElement,
  useContext,
  useMemo,
});
