/**
 * Profiles of the bundled server (`dist/chime.cjs`, scripts/bundle-server.mjs) name one file for
 * every frame, so the parts of bench/profile-shares.ts, told apart by the file or package a frame
 * comes from, would find nothing. esbuild heads each module's code in the bundle with a comment
 * naming its file (`// dist/store/sqlite/claims.js`, `// node_modules/undici/...`): a frame
 * belongs to the last such module above its line, and is renamed to it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BundleFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  /** Set on a frame renamed to its module: its line in the bundle (1-based). */
  bundleLine?: number;
}

const BUNDLE_FILE = /\/dist\/chime\.cjs$/;
const MODULE_HEADER = /^\/\/ ((?:dist|node_modules)\/\S+\.[cm]?js)$/;

interface ModuleStarts {
  /** 1-based lines of the headers, ascending. */
  lines: number[];
  paths: string[];
}

const cache = new Map<string, ModuleStarts | null>();

function moduleStarts(url: string): ModuleStarts | null {
  if (!cache.has(url)) cache.set(url, readModuleStarts(url));
  return cache.get(url)!;
}

function readModuleStarts(url: string): ModuleStarts | null {
  let text: string;
  try {
    text = readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return null; // a profile from another machine: its frames keep the bundle's name
  }
  const starts: ModuleStarts = { lines: [], paths: [] };
  text.split('\n').forEach((line, index) => {
    const match = MODULE_HEADER.exec(line);
    if (!match) return;
    starts.lines.push(index + 1);
    starts.paths.push(match[1]!);
  });
  return starts;
}

/** The frame as the module it came from: `file:///<root>/dist/...` or `.../node_modules/...`. */
export function unbundledFrame<F extends BundleFrame>(frame: F): F {
  if (!BUNDLE_FILE.test(frame.url)) return frame;
  const starts = moduleStarts(frame.url);
  if (!starts) return frame;
  const line = frame.lineNumber + 1;
  let low = 0;
  let high = starts.lines.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (starts.lines[middle]! <= line) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  if (found < 0) return frame; // the bundle's own preamble
  const root = frame.url.replace(/dist\/chime\.cjs$/, '');
  return { ...frame, url: root + starts.paths[found]!, bundleLine: line };
}
