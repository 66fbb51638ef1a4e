import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { profileShares, type CpuProfile } from '../../bench/profile-shares.js';
import { tempDir } from '../support/temp.js';
import { profileNode } from './cpu-profile.js';

describe('profiles of the bundled server', () => {
  // A bundle laid out as esbuild writes it: a preamble, then each module under a comment naming its file.
  const root = tempDir('chime-bundle-frames-');
  mkdirSync(join(root, 'dist'));
  const lines = [
    '"use strict";', //                                   1: preamble
    '// node_modules/undici/lib/core/request.js', //      2
    'var Request = class {};', //                         3
    '// dist/store/sqlite/claims.js', //                  4
    'function claimDue() {', //                           5
    '  return [];', //                                    6
    '}', //                                               7
    '// dist/runtime/claim-loop.js', //                   8
    'function claim() {}', //                             9
  ];
  writeFileSync(join(root, 'dist', 'chime.cjs'), lines.join('\n'));
  const bundle = pathToFileURL(join(root, 'dist', 'chime.cjs')).href;
  const at = (id: number, functionName: string, line: number, children: number[] = []) => profileNode(id, functionName, bundle, children, line - 1);
  const profile: CpuProfile = {
    nodes: [
      profileNode(1, '(root)', '', [2, 4, 5]),
      at(2, 'claim', 9, [3]),
      at(3, 'claimDue', 6),
      at(4, 'Request', 3),
      at(5, '(anonymous)', 1),
    ],
    samples: [3, 3, 2, 4, 5],
    startTime: 0,
    endTime: 5_000,
  };

  it('puts each frame in the module whose section of the bundle holds its line', () => {
    const shares = profileShares(profile);
    expect(shares.shareOf('store')).toBe(2 / 5);
    expect(shares.shareOf('httpClient')).toBe(1 / 5);
  });

  it('names the module and the line in the bundle, and leaves the preamble as it is', () => {
    expect(profileShares(profile).topSelf(3)).toEqual([
      { frame: 'claimDue dist/store/sqlite/claims.js (dist/chime.cjs:6)', share: 2 / 5 },
      { frame: 'claim dist/runtime/claim-loop.js (dist/chime.cjs:9)', share: 1 / 5 },
      { frame: 'Request node_modules/undici/lib/core/request.js (dist/chime.cjs:3)', share: 1 / 5 },
    ]);
    expect(profileShares(profile).topSelf(4)[3]!.frame).toBe('(anonymous) dist/chime.cjs:1');
  });
});
