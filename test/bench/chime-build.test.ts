/**
 * The report says what the Chime servers of a run load (bench/machine.ts): a run after a `tsc`
 * alone measures dist/ file by file, and must not pass for the build users run.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeChimeBuild } from '../../bench/machine.js';
import { tempDir } from '../support/temp.js';

describe("the report's Chime build", () => {
  it('is the bundle with its cache as built, and says so when either is missing or stale', () => {
    const root = tempDir('chime-build-');
    mkdirSync(join(root, 'dist'));
    const file = (name: string, seconds: number) => {
      const path = join(root, 'dist', name);
      writeFileSync(path, name);
      utimesSync(path, seconds, seconds);
      return path;
    };
    const buildInfo = file('.tsbuildinfo', 1_000);
    const bundle = file('chime.cjs', 2_000);
    const cache = file('chime.cjs.v8cache', 2_000);
    expect(describeChimeBuild(root)).toBe('the bundle, with its code cache');

    utimesSync(cache, 1_500, 1_500); // a bundle rebuilt without its cache
    expect(describeChimeBuild(root)).toMatch(/^the bundle, without a current code cache/);

    utimesSync(buildInfo, 3_000, 3_000); // `tsc` alone after the build
    expect(describeChimeBuild(root)).toMatch(/^dist\/ file by file/);

    utimesSync(bundle, 3_000, 3_000);
    utimesSync(cache, 3_000, 3_000); // `npm run build` again
    expect(describeChimeBuild(root)).toBe('the bundle, with its code cache');
  });
});
