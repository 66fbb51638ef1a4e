import { describe, expect, it } from 'vitest';
import { profileShares, type CpuProfile } from '../../bench/profile-shares.js';
import { profileNode } from './cpu-profile.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) =>
  profileNode(id, functionName, url && `file:///repo/${url}`, children, 9);

/** A claim loop calling prom-client and the store through the timing wrapper, plus GC, signing and idle. */
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 3, 6, 7, 9]),
    frame(2, '(idle)', ''),
    frame(3, 'claim', 'dist/runtime/claim-loop.js', [4, 5]),
    frame(4, 'observe', 'node_modules/prom-client/lib/histogram.js'),
    frame(5, 'get', 'dist/server/instrumented-store.js', [8]),
    frame(6, '(garbage collector)', ''),
    frame(7, 'headers', 'dist/runtime/delivery/webhook-signing.js'),
    frame(8, 'run', 'dist/store/sqlite/claims.js'),
    frame(9, 'recordOutcomes', 'dist/store/sqlite/outcomes.js', [10]),
    frame(10, 'run', '', []),
  ],
  samples: [2, 2, 4, 5, 8, 8, 8, 6, 7, 3, 10, 10],
  startTime: 0,
  endTime: 10_000,
};

describe('profileShares', () => {
  const shares = profileShares(profile);

  it('divides by the busy samples, leaving idle out', () => {
    expect(shares.samples).toBe(12);
    expect(shares.busySamples).toBe(10);
  });

  it('counts a part for every sample with it on the stack', () => {
    expect(shares.shareOf('store')).toBe(5 / 10);
    expect(shares.shareOf('signing')).toBe(1 / 10);
    expect(shares.shareOf('gc')).toBe(1 / 10);
    expect(shares.shareOf('logs')).toBe(0);
  });

  it("counts the store's timing wrapper for metrics only where it is the running frame", () => {
    // prom-client once, the wrapper running once; the three store samples under it are the store's.
    expect(shares.shareOf('metrics')).toBe(2 / 10);
  });

  it('counts a sample once for a group of parts', () => {
    expect(shares.shareOf('metrics', 'store')).toBe(7 / 10);
    expect(shares.shareOf('signing', 'guard')).toBe(1 / 10);
  });

  it('lists functions by self time', () => {
    expect(shares.topSelf(2)).toEqual([
      { frame: 'run dist/store/sqlite/claims.js:10', share: 3 / 10 },
      { frame: 'run :10', share: 2 / 10 },
    ]);
  });

  it("attributes a native statement call to the nearest caller with a script, and only native ones", () => {
    // Frame 8 is a script function named run (not native): it is not counted.
    expect(shares.nativeByCaller(['run', 'all'], 5)).toEqual([{ frame: 'run < recordOutcomes dist/store/sqlite/outcomes.js:10', share: 2 / 10 }]);
  });
});

describe("profileShares' module loading", () => {
  // A start: Node's loader compiling a module, the module's top level building a server under
  // it, then the same server code running again once started (no loader on the stack).
  const start: CpuProfile = {
    nodes: [
      profileNode(1, '(root)', '', [2, 5]),
      profileNode(2, 'require', 'node:internal/modules/cjs/helpers', [3, 4]),
      profileNode(3, 'wrapSafe', 'node:internal/modules/cjs/loader'),
      profileNode(4, '(anonymous)', 'file:///repo/dist/server/start-server.js', [6]),
      profileNode(5, 'listen', 'file:///repo/node_modules/fastify/fastify.js'),
      profileNode(6, 'route', 'file:///repo/node_modules/fastify/fastify.js'),
    ],
    samples: [3, 3, 6, 5],
    startTime: 0,
    endTime: 4_000,
  };

  it('counts every sample under the loader, the top level it runs included, and no other', () => {
    const shares = profileShares(start);
    expect(shares.shareOf('moduleLoading')).toBe(3 / 4);
    expect(shares.shareOf('apiServer')).toBe(2 / 4);
  });
});
