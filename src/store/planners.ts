/**
 * Planners a store can run away from the caller: the SQLite store's thread (sqlite/thread.ts)
 * runs the claim, and so the schedule maths inside it, on a thread of its own, where a
 * closure from the caller cannot go. So a planner carries a description the thread rebuilds
 * it from: the engine's occurrence planner by its one setting, or an export of a plain
 * JavaScript module by URL (an embedder's own planner, the tests' fixtures).
 */
import { planOccurrence } from '../core/occurrence-plan.js';
import type { PlanNext } from './store.js';

export type PlannerSpec =
  | { kind: 'occurrence'; missedFireThresholdMs: number }
  /** `name`, exported by the ES module at `url` (loadable by Node as it is: .js or .mjs). */
  | { kind: 'module'; url: string; name: string };

export interface PortablePlanNext extends PlanNext {
  readonly spec: PlannerSpec;
}

/** The engine's planner (core/occurrence-plan.ts), with the missed-fire threshold it uses. */
export function occurrencePlanner(missedFireThresholdMs: number): PortablePlanNext {
  const plan: PlanNext = (schedule, occurrence, now) => planOccurrence(schedule, occurrence, now, missedFireThresholdMs);
  return Object.assign(plan, { spec: { kind: 'occurrence', missedFireThresholdMs } as const });
}

/** `plan`, known to another thread as the export `name` of the module at `url`. */
export function modulePlanner(url: string | URL, name: string, plan: PlanNext): PortablePlanNext {
  const wrapped: PlanNext = (schedule, occurrence, now) => plan(schedule, occurrence, now);
  return Object.assign(wrapped, { spec: { kind: 'module', url: String(url), name } as const });
}

/** The description another thread rebuilds `plan` from; throws for a bare closure. */
export function plannerSpec(plan: PlanNext): PlannerSpec {
  const spec = (plan as Partial<PortablePlanNext>).spec;
  if (!spec) throw new TypeError('a store on its own thread runs only planners made by occurrencePlanner() or modulePlanner()');
  return spec;
}

/** Rebuilds a planner from its description (module imports are cached by the runtime). */
export async function loadPlanner(spec: PlannerSpec): Promise<PlanNext> {
  if (spec.kind === 'occurrence') return occurrencePlanner(spec.missedFireThresholdMs);
  const module = (await import(spec.url)) as Record<string, unknown>;
  const plan = module[spec.name];
  if (typeof plan !== 'function') throw new TypeError(`${spec.url} exports no planner named ${spec.name}`);
  return plan as PlanNext;
}
