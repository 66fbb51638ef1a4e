#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js and everything it imports, node_modules included)
// into one CommonJS file, dist/chime.cjs, which bin/chime.js loads. Why: starting `chime serve`
// was mostly module loading, some 1,400 modules each resolved, read and compiled on its own
// (docs/benchmarks.md, "Start-up: one file instead of 1,400 modules"). The unbundled dist/
// stays: the SDK, the in-process test server and the worker threads load from it.
//
// Each module of dist/ finds its files (SQL migrations, Lua scripts, protos, dashboard assets,
// worker entry points, package.json) relative to its own `import.meta.url`. In one file every
// module would share the bundle's URL, so each module's `import.meta.url` is rewritten to the
// URL its file has in dist/, computed from the bundle's own location at run time: the bundle
// sits in dist/, so relative paths from it stay right wherever the package is installed.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundleCache } from '../bin/load-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** `import.meta.url` of a dist/ module, as the bundle computes it. */
const ownUrlPlugin = {
  name: 'chime-own-module-url',
  setup(builder) {
    builder.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      if (!path.startsWith(dist + sep)) return undefined;
      const source = await readFile(path, 'utf8');
      const fromBundle = `./${relative(dist, path).split(sep).join('/')}`;
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, __chimeBundleUrl).href`), loader: 'js' };
    });
  },
};

const outfile = join(dist, 'chime.cjs');
const { outputFiles } = await build({
  entryPoints: [join(dist, 'cli', 'main.js')],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: "const __chimeBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Left to Node's loader, because they read files beside their own code through __dirname,
  // which in the bundle would be dist/: better-sqlite3 (its native addon), @fastify/swagger-ui
  // (the pages it serves), ioredis (its package.json, for the version it reports with CLIENT
  // SETINFO), msgpackr (the Redis store's decoder, whose optional native part is found at run
  // time). And pino-pretty, loaded only when logs are pretty. Bundled packages that use
  // __dirname do so only where Chime does not reach (grpc-js's channelz and ORCA protos, pino's
  // transports) or for a default Chime overrides (@fastify/swagger's version of the API).
  // Also left out: the clients of what a deployment may not use, which Chime imports only when
  // configured (the PostgreSQL store, the NATS, AMQP and MQTT event sinks). Every byte of the
  // bundle is read and compiled at each start, used or not: these were 1.6 of its 7 MB
  // (docs/benchmarks.md, "Start-up: the API docs UI on first use, optional clients outside").
  external: ['better-sqlite3', 'pino-pretty', '@fastify/swagger-ui', 'ioredis', 'msgpackr', 'pg', 'nats', 'amqplib', 'mqtt'],
  plugins: [ownUrlPlugin],
});

// esbuild escapes non-ASCII characters in code but keeps them in the comments it carries over
// (a dozen packages' docs). One such character makes V8 hold the whole 7 MB source as a
// two-byte string: escaped, it stays one byte a character. A \u escape means the same character
// wherever else it could stand (string, template, regular expression, identifier).
const ascii = outputFiles[0].text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// bin/load-bundle.js compiles the bundle through node:vm to use V8's code cache, and there
// import() needs a flag or an experimental loader on Node 20. esbuild turned every import() of a
// file it bundled into a call; those left (a tasks module named at run time, the API docs UI)
// call the loader's import instead (so the bundle runs only through bin/load-bundle.js). Comment
// lines (JSDoc types) are left as they are.
const dynamicImport = /(?<![\w$.])import\(/g;
const source = ascii
  .split('\n')
  .map((line) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? line : line.replace(dynamicImport, '__chimeImport(')))
  .join('\n');
await writeFile(outfile, source);
// After the bundle, so that the cache is never older than the bundle it belongs to.
writeBundleCache(outfile);
