/**
 * STYLE.md 15: the dashboard uses the public API, never the store or the engine. Its only
 * imports are Preact, its own files, and type-only imports of the API's wire shapes (the route
 * schemas and the SDK's types), which leave nothing of the server in the bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../dashboard/src/', import.meta.url).pathname;
const WIRE_TYPES = /^\.\.\/\.\.\/src\/(http\/schemas|client)\//;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

describe('dashboard imports', () => {
  it('reach only Preact, the dashboard itself, and the API wire types (type-only)', () => {
    const files = sources(ROOT);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^(import|export)(\s+type)?[^'"]*from\s+'([^']+)'/gm)) {
        const [, , typeOnly, target] = match;
        const allowed =
          target!.startsWith('preact') ||
          (target!.startsWith('./') || (target!.startsWith('../') && !target!.startsWith('../../'))) ||
          (typeOnly !== undefined && WIRE_TYPES.test(target!));
        expect(allowed, `${file.slice(ROOT.length)} imports ${target}`).toBe(true);
      }
    }
  });
});
