/**
 * Where a CPU profile's time went: the share of the busy samples (not idle) in which each
 * named part of the server was running, inclusive (a sample counts for a part when any frame
 * on its stack belongs to it). A share of one profile's samples is a within-run measure: a
 * slower machine or a noisy neighbour slows every part alike, where on/off throughput from two
 * runs moved by ±25% on the bench machine (2026-12-02) and could not resolve a 5% cost.
 *
 * Also a command: `node dist-bench/profile-shares.js <file.cpuprofile> [top]` prints the parts,
 * the functions with the most self time, and the store's native calls by the JS line that made
 * them (scripts/measure-burst-cpu.mjs writes such a file).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unbundledFrame, type BundleFrame } from './bundle-frames.js';

/** The Chrome DevTools `.cpuprofile` format (Profiler.stop's result). */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  startTime: number;
  endTime: number;
}

type CallFrame = BundleFrame;

interface Part {
  readonly label: string;
  /** Counts when any frame on the stack matches. */
  readonly onStack?: (frame: CallFrame) => boolean;
  /**
   * Counts only when the running frame matches: for wrappers on the stack of everything they
   * wrap (the store's timing wrapper is under every store call, which is not metrics' cost).
   */
  readonly running?: (frame: CallFrame) => boolean;
}

const url = (pattern: RegExp) => (frame: CallFrame) => pattern.test(frame.url);

/** The parts issues 10, 12 and 14 ask about, by the compiled file (dist/...) or package. */
export const PROFILE_PARTS = {
  metrics: { label: 'metrics (prom-client, metrics.ts)', onStack: url(/prom-client|\/server\/metrics\.js/), running: url(/instrumented-store\.js/) },
  logs: { label: 'logs (pino, logger.ts, request log, event-log.ts)', onStack: url(/\/pino|\/server\/logger\.js|request-log\.js|event-log\.js/) },
  tracing: { label: 'tracing (OpenTelemetry)', onStack: url(/opentelemetry|job-tracing\.js|server\/tracing\.js/) },
  /** The stream every listener above reads (its dispatch includes their work) and the dashboard's feed. */
  eventFeed: { label: 'lifecycle event stream, live feed', onStack: url(/lifecycle-events\.js|recent-events\.js/) },
  signing: { label: 'signing (Standard Webhooks)', onStack: url(/webhook-signing\.js/) },
  guard: { label: 'outbound guard', onStack: url(/outbound-guard\.js|delivery-check\.js/) },
  store: { label: 'store (SQLite, better-sqlite3)', onStack: url(/\/store\/sqlite\/|better-sqlite3/) },
  httpClient: { label: 'HTTP client (undici)', onStack: url(/undici/) },
  apiServer: { label: 'API server (fastify)', onStack: url(/fastify|find-my-way|avvio/) },
  /** Start-up's part: resolving, reading and compiling modules, and running their top level. */
  moduleLoading: { label: 'module loading (node:internal/modules: resolve, read, compile, top level)', onStack: url(/^node:internal\/modules\//) },
  gc: { label: 'garbage collector', onStack: (frame) => frame.functionName === '(garbage collector)' },
} satisfies Record<string, Part>;

export type PartName = keyof typeof PROFILE_PARTS;

export interface ProfileShares {
  samples: number;
  /** Samples not idle. */
  busySamples: number;
  /** Share of busy samples, 0..1, in which any of `parts` ran. */
  shareOf(...parts: PartName[]): number;
  /** Functions by self samples, most first: "name file:line" and share of busy samples. */
  topSelf(count: number): { frame: string; share: number }[];
  /**
   * Self samples of native functions (no script URL) named in `names`, by the nearest caller
   * with a script URL, most first: which statement a better-sqlite3 `run`/`all`/`get` ran for.
   */
  nativeByCaller(names: readonly string[], count: number): { frame: string; share: number }[];
}

/** better-sqlite3's statement methods, as a profile names them (native, no URL). */
export const SQLITE_NATIVE_CALLS = ['run', 'all', 'get', 'iterate', 'exec', 'pragma'] as const;

const frameLabel = (callFrame: CallFrame): string =>
  `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}` +
  (callFrame.bundleLine === undefined ? `:${callFrame.lineNumber + 1}` : ` (dist/chime.cjs:${callFrame.bundleLine})`);

const mostFirst = (counts: Map<string, number>, count: number, share: (n: number) => number) =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, n]) => ({ frame, share: share(n) }));

export function profileShares(profile: CpuProfile): ProfileShares {
  const byId = new Map(profile.nodes.map((node) => [node.id, { ...node, callFrame: unbundledFrame(node.callFrame) }]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const entries = Object.entries(PROFILE_PARTS) as [PartName, Part][];
  const onStackCache = new Map<number, ReadonlySet<PartName>>();
  const partsOnStack = (id: number): ReadonlySet<PartName> => {
    const cached = onStackCache.get(id);
    if (cached) return cached;
    const parent = parentOf.get(id);
    const parts = new Set(parent === undefined ? [] : partsOnStack(parent));
    for (const [name, part] of entries) if (part.onStack?.(byId.get(id)!.callFrame)) parts.add(name);
    onStackCache.set(id, parts);
    return parts;
  };
  const setCounts = new Map<string, number>(); // sorted part names joined → samples
  const selfCounts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const { callFrame } = byId.get(id)!;
    if (callFrame.functionName === '(idle)') continue;
    busy++;
    const parts = new Set(partsOnStack(id));
    for (const [name, part] of entries) if (part.running?.(callFrame)) parts.add(name);
    const key = [...parts].sort().join(',');
    setCounts.set(key, (setCounts.get(key) ?? 0) + 1);
    const frame = frameLabel(callFrame);
    selfCounts.set(frame, (selfCounts.get(frame) ?? 0) + 1);
  }
  const share = (n: number) => (busy === 0 ? Number.NaN : n / busy);
  return {
    samples: profile.samples.length,
    busySamples: busy,
    shareOf: (...parts) => {
      let n = 0;
      for (const [key, count] of setCounts) if (key && key.split(',').some((name) => parts.includes(name as PartName))) n += count;
      return share(n);
    },
    topSelf: (count) => mostFirst(selfCounts, count, share),
    nativeByCaller: (names, count) => {
      const byCaller = new Map<string, number>();
      for (const id of profile.samples) {
        const { callFrame } = byId.get(id)!;
        if (callFrame.url !== '' || !names.includes(callFrame.functionName)) continue;
        let caller = parentOf.get(id);
        while (caller !== undefined && byId.get(caller)!.callFrame.url === '') caller = parentOf.get(caller);
        const label = `${callFrame.functionName} < ${caller === undefined ? '(none)' : frameLabel(byId.get(caller)!.callFrame)}`;
        byCaller.set(label, (byCaller.get(label) ?? 0) + 1);
      }
      return mostFirst(byCaller, count, share);
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: node dist-bench/profile-shares.js <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const shares = profileShares(profile);
  const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)}%`;
  console.log(`${shares.samples} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s, ${pct(shares.busySamples / shares.samples)} busy; shares of the busy samples:`);
  for (const [name, part] of Object.entries(PROFILE_PARTS)) console.log(`  ${pct(shares.shareOf(name as PartName))}  ${part.label}`);
  console.log(`top ${top} functions by self time:`);
  for (const { frame, share } of shares.topSelf(Number(top))) console.log(`  ${pct(share)}  ${frame}`);
  console.log(`SQLite statements (better-sqlite3 ${SQLITE_NATIVE_CALLS.join('/')}, self time) by the line that ran them:`);
  for (const { frame, share } of shares.nativeByCaller(SQLITE_NATIVE_CALLS, 15)) console.log(`  ${pct(share)}  ${frame}`);
}
