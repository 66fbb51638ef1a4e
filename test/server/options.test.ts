/** Server options from the table: precedence, Dapr's names, aliases and stable error codes. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addServeFlags, rawOptionsFrom, SERVE_FLAGS, WORKER_FLAG_ALIASES, WORKER_OPTION_KEYS } from '../../src/cli/serve-command.js';
import { OptionError, resolveServerOptions, SERVE_ENV, SERVE_OPTIONS } from '../../src/server/options.js';

function parse(argv: string[], worker = false): Record<string, unknown> {
  const command = worker ? addServeFlags(new Command('worker'), WORKER_OPTION_KEYS, WORKER_FLAG_ALIASES) : addServeFlags(new Command('serve'));
  command.exitOverride().parse(argv, { from: 'user' });
  return command.opts();
}

function optionError(run: () => unknown): OptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof OptionError) return error;
    throw error;
  }
  throw new Error('no OptionError');
}

describe('server options', () => {
  it('take a flag over an environment variable over the default, the first variable listed first', () => {
    expect(resolveServerOptions({}, {}).port).toBe(3500);
    expect(resolveServerOptions({}, { DAPR_HTTP_PORT: '3600' }).port).toBe(3600);
    expect(resolveServerOptions({}, { DAPR_HTTP_PORT: '3600', CHIME_PORT: '3700' }).port).toBe(3700);
    expect(resolveServerOptions(rawOptionsFrom(parse(['--port', '3800'])), { CHIME_PORT: '3700' }).port).toBe(3800);
    expect(resolveServerOptions({}, { CHIME_PORT: '', DAPR_HTTP_PORT: '3600' }).port).toBe(3600);
  });

  it('build the app URL from APP_PORT after CHIME_APP_URL', () => {
    expect(resolveServerOptions({}, {}).appUrl).toBe('http://127.0.0.1:8000');
    expect(resolveServerOptions({}, { APP_PORT: '9000' }).appUrl).toBe('http://127.0.0.1:9000');
    expect(resolveServerOptions({}, { APP_PORT: '9000', CHIME_APP_URL: 'http://app:1' }).appUrl).toBe('http://app:1');
  });

  it('resolve the callback style seed to envelope, its new name', () => {
    expect(resolveServerOptions({}, {}).callbackStyle).toBe('auto');
    expect(resolveServerOptions({ callbackStyle: 'seed' }, {}).callbackStyle).toBe('envelope');
    expect(resolveServerOptions({}, { CHIME_CALLBACK_STYLE: 'envelope' }).callbackStyle).toBe('envelope');
    expect(resolveServerOptions({ callbackStyle: 'dapr' }, {}).callbackStyle).toBe('dapr');
    expect(() => resolveServerOptions({ callbackStyle: 'soap' }, {})).toThrow('callback-style: "soap" is not one of auto, envelope, dapr');
  });

  it('turn switches off by flag or environment', () => {
    expect(resolveServerOptions({}, {})).toMatchObject({ ui: true, metrics: true, webhookSigning: true });
    expect(resolveServerOptions(rawOptionsFrom(parse(['--no-ui', '--metrics', 'off'])), {})).toMatchObject({ ui: false, metrics: false });
    expect(resolveServerOptions({}, { CHIME_UI: 'false', CHIME_METRICS: 'false', CHIME_WEBHOOK_SIGNING: 'false' })).toMatchObject({
      ui: false,
      metrics: false,
      webhookSigning: false,
    });
  });

  it('compute defaults from other options', () => {
    expect(resolveServerOptions({ store: 'sqlite:/tmp/x/chime.db' }, {}).dataDir).toBe('/tmp/x');
    expect(resolveServerOptions({}, {}).dataDir).toBe('./.chime');
    expect(resolveServerOptions({}, {})).toMatchObject({ nodeId: null, workerPrefetch: null, queues: null, allowTarget: [], jobTimeoutMs: 300_000, retentionMs: 604_800_000 });
  });

  it("take the worker's --concurrency as --worker-concurrency, which wins", () => {
    expect(resolveServerOptions(rawOptionsFrom(parse(['--concurrency', '4'], true)), {}).workerConcurrency).toBe(4);
    expect(resolveServerOptions(rawOptionsFrom(parse(['--concurrency', '4', '--worker-concurrency', '5'], true)), {}).workerConcurrency).toBe(5);
  });

  it('name each problem with a stable code', () => {
    expect(optionError(() => resolveServerOptions({ port: 'x' }, {})).code).toBe('INVALID_OPTION');
    expect(optionError(() => resolveServerOptions({ port: '70000' }, {}))).toMatchObject({ code: 'OPTION_OUT_OF_RANGE', message: 'port: 70000 is out of range 0..65535' });
    expect(optionError(() => resolveServerOptions({ leaseMs: '10ms' }, {}))).toMatchObject({ code: 'OPTION_OUT_OF_RANGE', message: 'lease: must be at least 100 ms' });
    expect(optionError(() => resolveServerOptions({}, { CHIME_APP_URL: 'nope' })).message).toBe('app-url: "nope" is not a URL (e.g. http://127.0.0.1:8000)');
  });

  it('list every flag with its environment names and default in --help', () => {
    const help = new Map(SERVE_FLAGS.map(([flag, , text]) => [flag, text]));
    expect(help.get('--port <port>')).toBe('HTTP port (env CHIME_PORT, DAPR_HTTP_PORT; default 3500)');
    expect(help.get('--no-ui')).toBe('do not serve the web dashboard at /ui (env CHIME_UI=false; default on)');
    expect(help.get('--app-url <url>')).toBe('base URL of the app that receives callbacks (env CHIME_APP_URL, APP_PORT; default http://127.0.0.1:8000)');
    for (const [key, spec] of Object.entries(SERVE_OPTIONS)) expect(SERVE_ENV[key as keyof typeof SERVE_ENV]).toEqual(spec.env);
  });
});
