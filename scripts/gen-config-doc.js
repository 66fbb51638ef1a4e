#!/usr/bin/env node
// Rewrites the generated options section of docs/configuration.md from the option tables.
// Run after a build (it reads dist/): `npm run build && node scripts/gen-config-doc.js`.
// test/docs/configuration-doc.test.ts fails while the page and the tables disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { withOptionsSection } from '../dist/cli/configuration-doc.js';

const path = new URL('../docs/configuration.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withOptionsSection(before);
if (after === before) console.log('docs/configuration.md: up to date');
else {
  writeFileSync(path, after);
  console.log('docs/configuration.md: options section rewritten');
}
