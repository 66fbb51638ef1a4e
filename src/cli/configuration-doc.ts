/**
 * The options section of docs/configuration.md, generated from the option tables
 * (SERVE_OPTIONS, the worker's subset, CONNECTION_OPTIONS) plus the longer explanations below.
 * `node scripts/gen-config-doc.js` (after a build) rewrites the section; a test fails when the
 * page and the tables disagree.
 */
import { shownDefault, type OptionSpec, type OptionTable } from '../server/option-spec.js';
import { SERVE_OPTIONS, type ServerOptions } from '../server/options.js';
import { CONNECTION_OPTIONS } from './connection-options.js';
import { WORKER_FLAG_ALIASES, WORKER_OPTION_KEYS } from './serve-command.js';

export const GENERATED_BEGIN =
  '<!-- BEGIN GENERATED OPTIONS: edit src/server/options.ts, src/cli/connection-options.ts or src/cli/configuration-doc.ts, then `npm run build && node scripts/gen-config-doc.js` -->';
export const GENERATED_END = '<!-- END GENERATED OPTIONS -->';

/** What each `chime serve` option does, for the docs (its one-line help is in the table). */
const SERVE_OPTION_DOCS: Record<keyof ServerOptions, string> = {
  port: 'HTTP port (the one Dapr apps already call); `0` picks a free one.',
  host: 'Interface to listen on (`0.0.0.0` for all).',
  grpcPort:
    "Port of the gRPC API (Dapr's `dapr.proto.runtime.v1.Dapr` jobs calls, for Dapr SDK apps), on the same `--host`; `0` picks a free one (logged as `gRPC API (Dapr jobs) on host:port`); `off` serves none. A taken port stops start-up with a clear error.",
  appProtocol:
    "How callbacks reach the app. `http`: per `--callback-style`. `grpc`: `AppCallback.OnJobEvent` (falling back to `AppCallbackAlpha.OnJobEventAlpha1`) on the host and port of `--app-url` (or `APP_PORT`), as a Dapr sidecar started with `--app-protocol grpc` does. Retries, failure policies, history and dead letters are the same for both. Dapr's other values (`https`, `grpcs`, `h2c`) are refused at start rather than half-honoured.",
  store: 'Where jobs live: `sqlite:<path>` (or a plain path), `postgres://...`, `redis://...` (see [Store URLs](#store-urls)).',
  appUrl: 'Base URL of the app that receives callbacks (a path prefix is kept).',
  callbackStyle:
    '`envelope`: `POST {app}/api/jobs/trigger` with the envelope `{job_name, data, scheduled_time, actual_time}` (document 000; `seed`, its old name, is still accepted). `dapr`: `POST {app}/job/{name}` with the bare `data` (404 = delivered). `auto`: `dapr` for jobs created on `/v1.0-alpha1` or over gRPC, `envelope` for the rest.',
  maxConcurrentJobs: 'Callbacks in flight at once (and keep-alive connections to the app).',
  jobTimeoutMs: 'A callback that has not answered by then fails and is retried per its policy.',
  maxRetries: 'Default failure policy: retries after a failed attempt; `-1` retries forever.',
  retryIntervalMs: 'Default failure policy: the wait between attempts.',
  missedFirePolicy: 'Default for jobs that name none: `fire_once`, `all` or `skip`.',
  missedFireThresholdMs: 'An occurrence claimed later than this after it fell due counts as missed.',
  leaseMs:
    "Lease on a claimed job, renewed every third of it while the job runs; a dead peer's jobs come back after it runs out (a restarted node takes its own back at once). Chosen from a measured trade-off: [operations.md](operations.md#leases).",
  retentionMs: 'Finished jobs, their history and finished schedules are deleted after this (`168h` is 7 days).',
  bodyLimit:
    'Largest request body in bytes (larger: 413), and the largest gRPC message the gRPC API accepts (larger: `RESOURCE_EXHAUSTED`).',
  drainGraceMs: 'On SIGTERM/SIGINT, running callbacks get this long to finish; the rest are handed back unrun.',
  nodeId:
    "This node's name in leases, history and `worker_id`, kept in the data dir (`node-id`, made on first start). Stable across restarts, so a restarted node takes back its own leases at once; two live processes on one data dir get distinct ids (the second a fresh one, with a warning).",
  logLevel: '`error`, `warn`, `info` or `debug`; logs go to stderr (see [operations.md](operations.md#logs)).',
  logFormat: '`json`: one JSON object per line (pino). `pretty`: human-readable lines.',
  metrics: '`on` serves Prometheus metrics at `GET /metrics` ([operations.md](operations.md#metrics)); `off` removes the route and its cost.',
  tasks: 'A module of task definitions this process runs (see [platform.md](platform.md)).',
  workerConcurrency: 'Task jobs this process runs at once (`chime worker --concurrency` is the same).',
  workerPrefetch:
    'Task jobs a worker claims ahead of its free slots (status `reserved`), topped up when half spent, so quick handlers find their next job already claimed. Unset, it grows past its default, up to 8 times it, while handlers start more jobs during one claim than it holds (quick handlers on PostgreSQL); slow handlers keep it at the default. A number fixes it; `0` claims only what starts at once (fairer across many workers with slow tasks).',
  queues: 'Comma-separated queues this process takes task jobs from.',
  dataDir:
    'Where the generated JWT secret (`jwt-secret`) and the node id (`node-id`) live, and the event spool (`event-spool/`); created 0700, its files 0600. `chime token` and the client commands read the secret from the same place (`--data-dir`, `CHIME_DATA_DIR`, else the folder of `--store`/`CHIME_STORE`) and say where they looked when it is not there; they never create one.',
  jwtSecret: 'HS256 secret for `/api/v1` tokens. Set it on every node of a cluster.',
  jwksUrl: 'Verify `/api/v1` tokens against this JWKS (RS256, ES256, ...) instead of a secret.',
  jwtIssuer: 'Required `iss` claim (not checked when unset).',
  jwtAudience: 'Required `aud` claim (not checked when unset).',
  eventsUrl:
    'Publish job lifecycle events as CloudEvents to this broker: `nats://...` (JetStream), `amqp://...` (RabbitMQ), `redis://...` (Streams) or `mqtt://...`; also the broker for jobs delivered to a `topic`. Unacknowledged events wait in `<data-dir>/event-spool/`. See [events.md](events.md).',
  eventsTypes:
    'Event types published for jobs that choose none themselves: `all`, or comma-separated from `created`, `fired`, `succeeded`, `retried`, `failed`, `dead_lettered`, `cancelled`, `skipped`, `requeued`.',
  allowTarget:
    'Where job `target`s and hook URLs may point, comma-separated: host names (`api.example.com`, `api.example.com:8443`), `*.example.com`, `*` (every public host), IPs (`10.0.0.7`, `[fd00::1]:8080`) and CIDR ranges (`10.0.0.0/8`). A name allows only public addresses; an internal name also needs its range. Checked at creation (403 `TARGET_NOT_ALLOWED`) and at connect time after DNS. See [security.md](security.md#outbound-delivery-and-signing).',
  targetConcurrency:
    'Requests in flight to any one target origin other than the app URL (which may use every slot), at least 1; jobs for a busy target wait while others start.',
  webhookSecret:
    'Secret(s) in `whsec_<base64>` form callbacks are signed with (Standard Webhooks); the generated one is the data dir\'s `webhook-secret` (mode 0600). Two, comma-separated, while rotating: both sign every request.',
  webhookSigning: '`false` sends callbacks unsigned.',
  failureHookUrl: 'Called (signed, retried) when any job without its own `on_failure` fails for good. Trusted like the app URL.',
  ui: 'Do not serve the web dashboard at `/ui` (nor its sign-in routes) and print no login link. The API, the live feed (`/api/v1/events`) and the API docs (`/docs`) stay on. See [dashboard.md](dashboard.md).',
  daprApiToken: 'As in Dapr: requests to the Dapr-style API must carry it in `dapr-api-token` (else 401); `GET /v1.0/healthz` stays open.',
  appApiToken: 'As in Dapr: every callback carries it in the `dapr-api-token` header.',
};

/** What the client commands' connection options do, for the docs. */
const CONNECTION_OPTION_DOCS: Record<keyof typeof CONNECTION_OPTIONS, string> = {
  server: 'The server a client command talks to (and the one `chime token --login-link` opens).',
  token:
    "Bearer token for the `/api/v1` commands. Without one the CLI signs a 5-minute admin token with the server's secret when this machine can read it (`CHIME_JWT_SECRET` or the data dir).",
  dataDir: "The server's data dir, where the CLI finds the secret to sign a token locally.",
  store: "`chime token` only: the server's store, whose SQLite folder is the default data dir.",
};

/** What `chime worker`'s options mean beyond `chime serve`'s. */
const WORKER_NOTE =
  "`--tasks` is required. Its task jobs' failures write hook jobs that a `chime serve` node delivers to `--failure-hook-url`.";

const TABLE_HEAD = '| flag | environment | default | what it does |\n|---|---|---|---|';

const code = (text: string): string => `\`${text}\``;
const flagName = (flag: string): string => flag.split(' ')[0]!;
const sentence = (text: string): string => `${text[0]!.toUpperCase()}${text.slice(1)}.`;

function environmentCell(spec: OptionSpec<unknown>): string {
  const names = spec.env.map(code).join(', ');
  return spec.envFallback ? `${names}, or ${code(spec.envFallback.name)} for ${code(spec.envFallback.shown)}` : names;
}

function defaultCell(spec: OptionSpec<unknown>): string {
  const shown = shownDefault(spec);
  if (shown === null) return 'none';
  return typeof spec.default === 'string' ? code(shown) : shown;
}

/** The rows of one table: a flag's row, its negation's (`--no-grpc`), or an environment-only row. */
function optionRows(table: OptionTable, docs: Readonly<Record<string, string>>): string[] {
  const rows: string[] = [];
  for (const [key, spec] of Object.entries(table)) {
    const what = docs[key] ?? sentence(spec.help);
    if (spec.flag) rows.push(`| ${code(flagName(spec.flag))} | ${environmentCell(spec)} | ${defaultCell(spec)} | ${what} |`);
    if (spec.negation) {
      const { flag, value, absent, help } = spec.negation;
      rows.push(`| ${code(flag)} | ${code(`${spec.env[0]}=${value}`)} | ${absent} | ${spec.flag ? sentence(help) : what} |`);
    }
    if (!spec.flag && !spec.negation) rows.push(`| (environment only) | ${environmentCell(spec)} | ${defaultCell(spec)} | ${what} |`);
  }
  return rows;
}

function workerParagraph(): string {
  const keys = (Object.keys(SERVE_OPTIONS) as (keyof ServerOptions)[]).filter((key) => WORKER_OPTION_KEYS.includes(key));
  const flags = keys.map((key) => code(flagName(SERVE_OPTIONS[key].flag!)));
  const aliases = WORKER_FLAG_ALIASES.map(({ flag, key }) => `${code(flagName(flag))} (the same as ${code(flagName(SERVE_OPTIONS[key].flag!))})`);
  const all = [...flags, ...aliases];
  return `\`chime worker\` takes ${all.slice(0, -1).join(', ')} and ${all.at(-1)}, with the same environment variables and defaults. ${WORKER_NOTE}`;
}

/** The generated section, markers excluded. */
export function renderOptionsSection(): string {
  return [
    TABLE_HEAD,
    ...optionRows(SERVE_OPTIONS, SERVE_OPTION_DOCS),
    '',
    workerParagraph(),
    '',
    'The client commands (`chime jobs`, `schedules`, `queues`, `tasks`, `workers` and `token`) find the server and sign in with these:',
    '',
    TABLE_HEAD,
    ...optionRows(CONNECTION_OPTIONS, CONNECTION_OPTION_DOCS),
  ].join('\n');
}

/** `page` with the text between the markers replaced by the generated section. */
export function withOptionsSection(page: string): string {
  const begin = page.indexOf(GENERATED_BEGIN);
  const end = page.indexOf(GENERATED_END);
  if (begin < 0 || end < begin) throw new Error(`docs/configuration.md: the markers ${GENERATED_BEGIN} and ${GENERATED_END} are missing`);
  return `${page.slice(0, begin + GENERATED_BEGIN.length)}\n${renderOptionsSection()}\n${page.slice(end)}`;
}
