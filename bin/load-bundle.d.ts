/** Types of load-bundle.js (plain JavaScript: bin/ runs before anything is compiled). */
import type { Script } from 'node:vm';

/** What became of the bundle's code cache: used, rejected by V8, or none (missing or stale). */
export type BundleCacheOutcome = 'used' | 'rejected' | 'none';

export function compileBundle(bundlePath: string, cachedData?: Buffer): Script;
export function runBundle(script: Script, bundlePath: string): Record<string, unknown>;
export function bundleCachePath(bundlePath: string): string;
export function bundleIsCurrent(bundlePath: string, buildInfoPath: string): boolean;
export function bundleCacheIsCurrent(bundlePath: string): boolean;
export function loadBundle(bundlePath: string): { exports: Record<string, unknown>; cache: BundleCacheOutcome };
export function writeBundleCache(bundlePath: string): number;
