/**
 * fast-check arbitraries for requests, generated from the server's own OpenAPI document: for
 * every operation, path parameters, query strings and bodies that mostly follow the schema
 * (so requests reach deep into the handlers) with hostile values mixed in at every level
 * (wrong types, huge and non-finite numbers, lone surrogates, `.`/`..`, deep nesting, broken
 * percent-encoding, malformed JSON).
 */
import fc from 'fast-check';

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** OpenAPI path, `/v1.0/jobs/{name}`. */
  path: string;
  pathParams: string[];
  query: Record<string, JsonSchema>;
  body: JsonSchema | null;
  secured: boolean;
}

export interface FuzzRequest {
  operation: Operation;
  method: Operation['method'];
  url: string;
  /** Raw body text (may be malformed JSON), or undefined for none. */
  payload: string | undefined;
  auth: 'valid' | 'none' | 'garbage';
}

type JsonSchema = Record<string, any>;

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> }; security?: unknown[] }>>;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, spec] of Object.entries(methods)) {
      const params = spec.parameters ?? [];
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
        body: spec.requestBody ? (Object.values(spec.requestBody.content)[0]?.schema ?? null) : null,
        secured: (spec.security?.length ?? 0) > 0,
      });
    }
  }
  return operations;
}

/** JSON text nested `levels` deep (built as text: a parser, not the generator, must cope). */
const deepText = (levels: number) => `${'['.repeat(levels)}0${']'.repeat(levels)}`;

/** Strings an attacker tries: lone surrogates, path segments, controls, huge, SQL and Lua bait. */
const nastyString = fc.oneof(
  fc.constantFrom('', '.', '..', ' ', '\ud800', 'a\udc00b', '\u0000', 'x/y', 'a#b', 'a?b', 'a|b', "'; DROP TABLE jobs; --", '{}', 'nil', '\\', '%', 'Infinity', 'NaN', '1e308', '-0'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 1, max: 6 }).map((k) => 'x'.repeat(10 ** k)),
);
const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, 2 ** 63, 0.5, -0.000001, 1e-308),
  fc.double(),
  fc.integer(),
);
/** Any JSON, plus the extremes above; `deep` marks a value to be replaced by deep text later. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, [], {}) },
  { weight: 1, arbitrary: fc.integer({ min: 33, max: 6000 }).map((levels) => ({ __deep__: levels })) },
);

/** A value for `schema`: valid most of the time, hostile sometimes. */
export function valueFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: validFor(schema, depth) }, { weight: 1, arbitrary: nastyValue });
}

function validFor(schema: JsonSchema | undefined, depth: number): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return fc.oneof(...union.map((s) => valueFor(s, depth + 1)));
  const nullable = schema.nullable === true ? (a: fc.Arbitrary<unknown>) => fc.option(a, { nil: null }) : (a: fc.Arbitrary<unknown>) => a;
  switch (schema.type) {
    case 'string':
      return nullable(
        fc.oneof(
          fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) }),
          fc.constantFrom('2031-01-01T00:00:00Z', '10s', 'PT1M', '@every 1s', '*/5 * * * * *', 'default', 'noop', 'Europe/Paris'),
        ),
      );
    case 'integer':
      return nullable(fc.integer({ min: Math.max(schema.minimum ?? -1000, -1e9), max: Math.min(schema.maximum ?? 1000, 1e9) }));
    case 'number':
      return nullable(fc.double({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1000, 1e6), noNaN: true }));
    case 'boolean':
      return nullable(fc.boolean());
    case 'null':
      return fc.constant(null);
    case 'array':
      return nullable(fc.array(valueFor(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) }));
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set<string>(schema.required ?? []);
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, valueFor(s, depth + 1)]));
      const requiredKeys = Object.keys(properties).filter((k) => required.has(k));
      const object = fc.record(model, { requiredKeys });
      // Now and then a field the schema does not know.
      return nullable(
        fc.oneof(
          { weight: 6, arbitrary: object },
          { weight: 1, arbitrary: fc.tuple(object, nastyString, nastyValue).map(([o, k, v]) => ({ ...(o as object), [k]: v })) },
        ),
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

/** JSON text for a generated value; `{__deep__: n}` becomes n levels of nesting. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && '__deep__' in v ? `__DEEP_${(v as { __deep__: number }).__deep__}__` : v)).replace(
    /"__DEEP_(\d+)__"/g,
    (_m, levels: string) => deepText(Number(levels)),
  );
}

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom('%2E', '%2E%2E', '%E0%A4%A', '%', '%00', '%ED%A0%80', 'x'.repeat(2100), 'a%2Fb', '%20') },
  { weight: 1, arbitrary: nastyString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))) },
);

function queryText(operation: Operation): fc.Arbitrary<string> {
  const entries = Object.entries(operation.query).map(([name, schema]) =>
    fc.option(
      fc.oneof(
        { weight: 4, arbitrary: validFor(schema.type === 'array' ? schema.items : schema, 1).map(String) },
        { weight: 1, arbitrary: fc.constantFrom('1e308', 'Infinity', '-1', 'NaN', '', '0x10', '99999999999999999999', 'true') },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      ).map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?'))}`),
      { nil: null },
    ),
  );
  const unknown = fc.option(fc.constantFrom('zzz=1', 'limit=', '%ZZ=1', 'a[b]=c'), { nil: null, freq: 8 });
  return fc.tuple(fc.tuple(...entries), unknown).map(([parts, extra]) => {
    const all = [...parts, extra].filter((p): p is string => p !== null);
    return all.length === 0 ? '' : `?${all.join('&')}`;
  });
}

function bodyText(operation: Operation): fc.Arbitrary<string | undefined> {
  const schema = operation.body;
  const generated = schema ? valueFor(schema).map(toJsonText) : fc.constant(undefined);
  return fc.oneof(
    { weight: 8, arbitrary: generated },
    { weight: 1, arbitrary: nastyValue.map(toJsonText) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'nul', '[1,]', '\u0000', '{"a":"\\ud800"}', `{"data":${deepText(5000)}}`, '') },
  );
}

export function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const segments = fc.tuple(...operation.pathParams.map(() => segment));
  return fc
    .tuple(segments, queryText(operation), bodyText(operation), fc.constantFrom('valid', 'valid', 'valid', 'valid', 'none', 'garbage') as fc.Arbitrary<FuzzRequest['auth']>)
    .map(([values, query, payload, auth]) => {
      let path = operation.path;
      operation.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, values[i]!)));
      return { operation, method: operation.method, url: `${path}${query}`, payload, auth };
    });
}
