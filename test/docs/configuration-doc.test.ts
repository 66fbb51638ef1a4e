/** docs/configuration.md shows the options the tables declare: regenerate it when they change. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_BEGIN, GENERATED_END, renderOptionsSection } from '../../src/cli/configuration-doc.js';

const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

describe('docs/configuration.md', () => {
  it('has the options section the option tables generate (npm run build && node scripts/gen-config-doc.js)', () => {
    const begin = page.indexOf(GENERATED_BEGIN);
    const end = page.indexOf(GENERATED_END);
    expect(begin, 'begin marker').toBeGreaterThanOrEqual(0);
    expect(end, 'end marker').toBeGreaterThan(begin);
    const section = page.slice(begin + GENERATED_BEGIN.length, end).trim();
    expect(section).toBe(renderOptionsSection());
  });
});
