/**
 * The layers of docs/architecture.md, held by a test so a later change cannot quietly break
 * them: every `src/**\/*.ts` import is read with TypeScript's own parser (no new dependency)
 * and checked for (i) import circles between files and (ii) imports across layers that the
 * table below does not allow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = normalize(new URL('../../src/', import.meta.url).pathname);

/**
 * What each layer (the first folder under src/) may import besides itself. `'*'`: anything.
 * Files directly in src/ (the package entry, the version) count as layer `''`.
 */
const MAY_IMPORT: Record<string, readonly string[] | '*'> = {
  core: [],
  store: ['core'],
  services: ['core', 'store'],
  runtime: ['core', 'store'],
  http: ['core', 'services'],
  grpc: ['core', 'services'],
  client: ['core'],
  // Broker events read the lifecycle stream (core) and publish; nothing else.
  events: ['core'],
  // The in-process test server (package export `./testing`) starts a whole server.
  testing: '*',
  server: '*',
  cli: '*',
  '': '*',
};

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
  /** `import()`: loaded when first used, so not part of a load-time circle. */
  dynamic: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The src-relative file a relative specifier names, or null for packages and node: modules. */
function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return relative(SRC, normalize(join(dirname(join(SRC, from)), specifier))).replace(/\.js$/, '.ts');
}

/** Every import and re-export of one file, static and dynamic, with whether it is type-only. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false);
  const edges: Edge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean, dynamic: boolean): void => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const to = resolveSpecifier(file, specifier.text);
    if (to !== null) edges.push({ from: file, to, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes =
        clause?.isTypeOnly === true ||
        (clause !== undefined && clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, allTypes, false);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allTypes = node.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, allTypes, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function layerOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/** Strongly connected components with more than one file (Tarjan), plus files importing themselves. */
function circles(files: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const edge of edges) if (!edge.dynamic) next.get(edge.from)?.push(edge.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file)!, index.get(to)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || next.get(file)!.includes(file)) found.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) connect(file);
  return found;
}

/**
 * Type-only imports allowed across layers, each for one reason:
 * - the HTTP views turn the store's record types (JobStats, QueueInfo, TaskInfo, WorkerInfo, in
 *   src/store/store.ts, the domain types services return) into wire DTOs;
 * - the SDK's DTO types are the v1 route schemas' (one definition of the wire shapes, erased at
 *   compile time: the client package loads nothing of the server).
 */
const TYPE_ONLY_EXCEPTIONS: readonly { from: string; to: string }[] = [
  { from: 'http', to: 'store/store.ts' },
  { from: 'client', to: 'http/v1/schemas.ts' },
];

const FILES = sources(SRC).map((file) => relative(SRC, file)).sort();
const EDGES = FILES.flatMap(importsOf);

describe('import rules (docs/architecture.md, "Layers")', () => {
  it('reads the source tree', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(EDGES.length).toBeGreaterThan(300);
    for (const layer of new Set(FILES.map(layerOf))) expect(MAY_IMPORT, `src/${layer}/ has no rule`).toHaveProperty([layer]);
  });

  it('has no import circle between files', () => {
    expect(circles(FILES, EDGES)).toEqual([]);
  });

  it('imports across layers only where the layer table allows', () => {
    const broken: string[] = [];
    for (const edge of EDGES) {
      const from = layerOf(edge.from);
      const to = layerOf(edge.to);
      const allowed = MAY_IMPORT[from];
      if (from === to || allowed === '*' || allowed?.includes(to)) continue;
      if (edge.typeOnly && TYPE_ONLY_EXCEPTIONS.some((e) => e.from === from && e.to === edge.to)) continue;
      broken.push(`${edge.from} imports ${edge.to}${edge.typeOnly ? ' (type-only)' : ''}`);
    }
    expect(broken).toEqual([]);
  });

  it('catches a circle and a layer break (the checker itself)', () => {
    const edge = (from: string, to: string): Edge => ({ from, to, typeOnly: false, dynamic: false });
    expect(circles(['a.ts', 'b.ts', 'c.ts'], [edge('a.ts', 'b.ts'), edge('b.ts', 'a.ts'), edge('b.ts', 'c.ts')])).toEqual([['a.ts', 'b.ts']]);
    expect(circles(['a.ts', 'b.ts'], [edge('a.ts', 'b.ts'), { ...edge('b.ts', 'a.ts'), dynamic: true }])).toEqual([]);
    expect(MAY_IMPORT.services).not.toContain('runtime');
    expect(MAY_IMPORT.http).not.toContain('store');
  });
});
