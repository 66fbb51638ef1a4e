// Loads dist/chime.cjs (the CLI in one file, scripts/bundle-server.mjs) with V8's code cache
// beside it, dist/chime.cjs.v8cache, which the build writes. Why: compiling the 5 MB bundle was
// about a fifth of `chime serve`'s start; with the cache V8 reads the compiled code instead
// (docs/benchmarks.md, "Start-up: the bundle's compiled code kept by the build"). Node 20 has no
// compile cache of its own for CommonJS (module.enableCompileCache is Node 22), so the bundle is
// compiled here as Node's loader would compile it: the same wrapper, run in this context.
//
// A cache V8 cannot use (another Node.js or V8 flags than the build's) is rejected by V8 and the
// bundle compiles as without one; a cache older than the bundle is not offered at all, since V8
// checks only the source's length.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

// The bundle's dynamic import()s (a tasks module, @fastify/swagger-ui) call __chimeImport
// (bundle-server.mjs renames them): import() in code compiled by node:vm needs a flag or an
// experimental loader on Node 20, so the loader hands in its own.
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __chimeImport) {';
const WRAPPER_TAIL = '\n})';

/** The cache file of a bundle. */
export const bundleCachePath = (bundlePath) => `${bundlePath}.v8cache`;

/** The bundle compiled as Node's loader would, with `cachedData` offered to V8 if given. */
export function compileBundle(bundlePath, cachedData) {
  // The build keeps the bundle ASCII (bundle-server.mjs), so latin1 reads it as it is, without
  // UTF-8 decoding, into a one-byte string.
  const source = readFileSync(bundlePath, 'latin1');
  return new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: bundlePath, cachedData });
}

/** Runs a compiled bundle's top level; its exports. */
export function runBundle(script, bundlePath) {
  const module = { exports: {} };
  const importModule = (specifier) => import(specifier);
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath), importModule);
  return module.exports;
}

const modifiedAt = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/**
 * Whether the bundle is what `bin/chime.js` should run: it exists and no compile (`tsc`, which
 * writes `buildInfoPath`) is newer; a bundle older than the last compile would run stale code.
 */
export function bundleIsCurrent(bundlePath, buildInfoPath) {
  const bundled = modifiedAt(bundlePath);
  const compiled = modifiedAt(buildInfoPath);
  return bundled !== undefined && (compiled === undefined || bundled >= compiled);
}

/** Whether the bundle has a cache at least as new as itself (the build writes it after). */
export function bundleCacheIsCurrent(bundlePath) {
  const cachedAt = modifiedAt(bundleCachePath(bundlePath));
  return cachedAt !== undefined && cachedAt >= statSync(bundlePath).mtimeMs;
}

function currentCache(bundlePath) {
  if (!bundleCacheIsCurrent(bundlePath)) return undefined;
  try {
    return readFileSync(bundleCachePath(bundlePath));
  } catch {
    return undefined; // unreadable (permissions): the bundle compiles without it
  }
}

/**
 * The bundle's exports, and what became of its cache: 'used', 'rejected' (by V8), or 'none'
 * (missing or older than the bundle).
 */
export function loadBundle(bundlePath) {
  const cachedData = currentCache(bundlePath);
  const script = compileBundle(bundlePath, cachedData);
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: runBundle(script, bundlePath), cache };
}

/**
 * Writes the bundle's code cache, taken after its top level has run: V8 compiles most functions
 * only when first called, and a cache made then holds those the module loading called too.
 */
export function writeBundleCache(bundlePath) {
  const script = compileBundle(bundlePath, undefined);
  runBundle(script, bundlePath);
  const data = script.createCachedData();
  writeFileSync(bundleCachePath(bundlePath), data);
  return data.length;
}
