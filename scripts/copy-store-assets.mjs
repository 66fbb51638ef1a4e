#!/usr/bin/env node
// Copies the store's non-TypeScript files (SQL migrations, Lua scripts) from src/ into dist/,
// keeping their paths: tsc compiles only .ts, and the stores read these files relative to
// their own module (import.meta.url) at run time.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'store');
const to = join(root, 'dist', 'store');
const ASSET = /\.(sql|lua)$/;

function copyAssets(folder) {
  let copied = 0;
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) copied += copyAssets(path);
    else if (ASSET.test(name)) {
      cpSync(path, join(to, relative(from, path)));
      copied += 1;
    }
  }
  return copied;
}

const copied = copyAssets(from);
if (copied === 0) throw new Error(`no .sql or .lua files under ${from}`);
