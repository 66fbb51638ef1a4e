import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCRIPTS } from '../../src/store/redis/scripts.js';

const PRELUDE = new URL('../../src/store/redis/lua/prelude/', import.meta.url);

/** Every `local function name` of the prelude files, with the file it is in. */
function preludeFunctions(): Map<string, string> {
  const functions = new Map<string, string>();
  for (const file of readdirSync(PRELUDE)) {
    for (const match of readFileSync(new URL(file, PRELUDE), 'utf8').matchAll(/^local function ([a-z_][a-z0-9_]*)/gm)) {
      functions.set(match[1]!, file);
    }
  }
  return functions;
}

describe('Redis Lua scripts', () => {
  const functions = preludeFunctions();

  it.each(Object.keys(SCRIPTS))('%s includes every prelude function it calls, and each file once', (name) => {
    const source = SCRIPTS[name as keyof typeof SCRIPTS];
    const code = source.replace(/--\[\[[\s\S]*?\]\]/g, '').replace(/--[^\n]*/g, '');
    for (const [fn, file] of functions) {
      const called = new RegExp(`(^|[^A-Za-z_.'])${fn}\\(`, 'm').test(code.replace(new RegExp(`local function ${fn}\\(`, 'g'), ''));
      if (called) expect(code, `${name} calls ${fn} (prelude/${file})`).toMatch(new RegExp(`local function ${fn}\\(`));
    }
    const definitions = [...code.matchAll(/^local function ([a-z_][a-z0-9_]*)/gm)].map((m) => m[1]);
    expect(new Set(definitions).size).toBe(definitions.length);
  });

  it('builds a lease extension far smaller than a claim: a script carries only what it uses', () => {
    expect(SCRIPTS.chimeExtendLeases.split('\n').length).toBeLessThan(SCRIPTS.chimeClaimDue.split('\n').length / 2);
  });
});
