import type { PlanNext } from '../../src/store/store.js';

export declare const everyPlan: PlanNext;
export declare const noNext: PlanNext;
export declare const exitThread: PlanNext;
