/** The engine tunables' TSDoc `@default`s say what ENGINE_TUNABLES holds. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINE_TUNABLES } from '../../src/server/engine-setup.js';

const source = readFileSync(new URL('../../src/server/engine-setup.ts', import.meta.url), 'utf8');

describe('engine tunables', () => {
  it('document each field with the @default it has', () => {
    const declaration = source.slice(source.indexOf('export interface EngineTunables'), source.indexOf('export const ENGINE_TUNABLES'));
    const documented = new Map<string, number>();
    for (const [, doc, field] of declaration.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+):/g)) {
      const value = /@default (\S+)/.exec(doc!)?.[1];
      expect(value, `${field} has a @default`).toBeDefined();
      documented.set(field!, Number(value));
    }
    expect(Object.fromEntries(documented)).toEqual(ENGINE_TUNABLES);
  });
});
