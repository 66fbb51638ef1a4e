/** The pieces of outbound delivery on their own: spec parsing, the guard, signing, Retry-After. */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../../src/client/webhooks.js';
import { parseDelivery } from '../../src/core/delivery-spec.js';
import { ChimeError } from '../../src/core/errors.js';
import { OutboundGuard } from '../../src/runtime/delivery/outbound-guard.js';
import { retryAfterMs } from '../../src/runtime/delivery/response-reading.js';
import { generateWebhookSecret, WebhookSigner } from '../../src/runtime/delivery/webhook-signing.js';
import { loadOrCreateWebhookSecret, WEBHOOK_SECRET_FILE } from '../../src/server/webhook-secret.js';
import { tempDir } from '../support/temp.js';

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ChimeError) return error.field;
    throw error;
  }
  return 'no error';
}

describe('parseDelivery', () => {
  it('reads a full target with defaults filled in', () => {
    const parsed = parseDelivery({ url: 'https://api.example.com/hook?x=1', headers: { 'X-Key': 'k' }, timeout: '30s', body: 'raw', method: 'put' }, 'https://a.example.com/f', undefined);
    expect(parsed.timeoutMs).toBe(30_000);
    expect(parsed.delivery).toEqual({
      target: { url: 'https://api.example.com/hook?x=1', method: 'PUT', headers: { 'x-key': 'k' }, body: 'raw' },
      onFailure: 'https://a.example.com/f',
      onSuccess: null,
    });
    expect(parseDelivery({ url: 'http://h/' }, undefined, undefined).delivery?.target).toMatchObject({ method: 'POST', body: 'envelope' });
    expect(parseDelivery(undefined, undefined, undefined)).toEqual({ delivery: null, timeoutMs: null });
    expect(parseDelivery({ url: 'http://h/', timeout: 1.5 }, undefined, undefined).timeoutMs).toBe(1500);
  });

  it('names the field at fault', () => {
    expect(fieldOf(() => parseDelivery({ url: 'ftp://x/' }, undefined, undefined))).toBe('target.url');
    expect(fieldOf(() => parseDelivery({ url: 'not a url' }, undefined, undefined))).toBe('target.url');
    expect(fieldOf(() => parseDelivery({ url: 'http://u:p@h/' }, undefined, undefined))).toBe('target.url');
    expect(fieldOf(() => parseDelivery({ url: 'http://h/', body: 'xml' }, undefined, undefined))).toBe('target.body');
    expect(fieldOf(() => parseDelivery({ url: 'http://h/', method: 'TRACE' }, undefined, undefined))).toBe('target.method');
    expect(fieldOf(() => parseDelivery({ url: 'http://h/', headers: { 'webhook-signature': 'x' } }, undefined, undefined))).toBe('target.headers.webhook-signature');
    expect(fieldOf(() => parseDelivery({ url: 'http://h/', headers: { a: 'x\ny' } }, undefined, undefined))).toBe('target.headers.a');
    expect(fieldOf(() => parseDelivery({ url: 'http://h/', timeout: 'soon' }, undefined, undefined))).toBe('target.timeout');
    expect(fieldOf(() => parseDelivery({ url: 'http://h/', extra: 1 }, undefined, undefined))).toBe('target.extra');
    expect(fieldOf(() => parseDelivery(undefined, 'nope', undefined))).toBe('on_failure');
    expect(fieldOf(() => parseDelivery(undefined, undefined, 'file:///etc/passwd'))).toBe('on_success');
  });
});

describe('OutboundGuard', () => {
  const guard = new OutboundGuard(['api.example.com', '*.hooks.example.org', 'pinned.example.net:8443', '10.1.0.0/16', '127.0.0.2', '[fd00::7]:9000'], ['http://127.0.0.1:8000']);

  it('allows only listed names, ports, addresses and ranges at creation', () => {
    expect(guard.refusal('http://127.0.0.1:8000/job/x')).toBeNull(); // the app URL's origin
    expect(guard.refusal('http://127.0.0.1:8001/')).toMatch(/not in the allowlist/);
    expect(guard.refusal('https://api.example.com/x')).toBeNull();
    expect(guard.refusal('https://API.EXAMPLE.COM/x')).toBeNull();
    expect(guard.refusal('https://evil.example.com/x')).not.toBeNull();
    expect(guard.refusal('https://a.b.hooks.example.org/')).toBeNull();
    expect(guard.refusal('https://hooks.example.org/')).not.toBeNull();
    expect(guard.refusal('https://pinned.example.net:8443/')).toBeNull();
    expect(guard.refusal('https://pinned.example.net/')).not.toBeNull();
    expect(guard.refusal('http://10.1.2.3/')).toBeNull();
    expect(guard.refusal('http://10.2.0.1/')).not.toBeNull();
    expect(guard.refusal('http://127.0.0.2:1234/')).toBeNull();
    expect(guard.refusal('http://[fd00::7]:9000/')).toBeNull();
    expect(guard.refusal('http://[fd00::7]:9001/')).not.toBeNull();
    expect(guard.refusal('http://169.254.169.254/latest/meta-data')).not.toBeNull();
  });

  it('refuses private, loopback and metadata addresses behind an allowed name', () => {
    expect(guard.addressAllowed('93.184.216.34', 443, 'api.example.com')).toBe(true);
    expect(guard.addressAllowed('127.0.0.1', 443, 'api.example.com')).toBe(false);
    expect(guard.addressAllowed('169.254.169.254', 80, 'api.example.com')).toBe(false);
    expect(guard.addressAllowed('192.168.1.1', 80, 'api.example.com')).toBe(false);
    expect(guard.addressAllowed('::1', 80, 'api.example.com')).toBe(false);
    expect(guard.addressAllowed('::ffff:127.0.0.1', 80, 'api.example.com')).toBe(false);
    // ...unless the address itself is allowed.
    expect(guard.addressAllowed('10.1.9.9', 80, 'api.example.com')).toBe(true);
    expect(guard.addressAllowed('127.0.0.2', 80, 'api.example.com')).toBe(true);
    // A public address behind a name nobody allowed.
    expect(guard.addressAllowed('93.184.216.34', 443, 'evil.example.com')).toBe(false);
  });

  it('raises TARGET_NOT_ALLOWED naming the field, and refuses malformed entries', () => {
    expect(() => guard.check('http://evil.example.com/', 'target.url')).toThrow(expect.objectContaining({ code: 'TARGET_NOT_ALLOWED', field: 'target.url', status: 403 }));
    expect(() => new OutboundGuard(['10.0.0.0/33'], [])).toThrow(/CIDR/);
    expect(() => new OutboundGuard(['http://x'], [])).toThrow(/allow-target/);
  });

  it('refuses at lookup time a name resolving to a disallowed address', async () => {
    const onlyName = new OutboundGuard(['localhost'], []);
    const lookup = onlyName.lookupFor('localhost', 80) as unknown as (h: string, o: object, cb: (e: Error | null, a?: unknown) => void) => void;
    const error = await new Promise<Error | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect(error?.message).toMatch(/outbound guard: localhost resolved to .*127\.0\.0\.1/);
    const withRange = new OutboundGuard(['localhost', '127.0.0.0/8', '::1/128'], []);
    const allowed = withRange.lookupFor('localhost', 80) as unknown as typeof lookup;
    const addresses = await new Promise<unknown>((resolve) => allowed('localhost', { all: true }, (_e, a) => resolve(a)));
    expect(addresses).toEqual(expect.arrayContaining([expect.objectContaining({ address: '127.0.0.1' })]));
  });
});

describe('signing', () => {
  const body = '{"job_name":"x","data":{"n":1}}';

  it('produces signatures the standardwebhooks package verifies', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const now = Math.floor(Date.now() / 1000);
    const headers = new WebhookSigner([secret]).headers('job-1', now, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ job_name: 'x', data: { n: 1 } });
    expect(verifyWebhook(secret, headers, body)).toBe('job-1');
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => verifyWebhook(secret, headers, `${body} `)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': String(now - 600) }, body)).toThrow(/tolerance/);
  });

  it('generates the secret once into the data dir, mode 0600', () => {
    const dir = join(tempDir(), 'data');
    const secret = loadOrCreateWebhookSecret(dir);
    expect(secret).toMatch(/^whsec_/);
    expect(loadOrCreateWebhookSecret(dir)).toBe(secret);
    expect(statSync(join(dir, WEBHOOK_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(() => new WebhookSigner([secret])).not.toThrow();
  });

  it('signs with both secrets while rotating, so either verifies', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = new WebhookSigner([oldSecret, newSecret]).headers('job-2', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(verifyWebhook([newSecret], headers, body)).toBe('job-2');
    expect(() => new WebhookSigner(['plain-secret'])).toThrow(/whsec_/);
  });
});

describe('the Python verification in docs/security.md', () => {
  it('accepts a Chime signature and refuses a tampered body', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    const snippet = /or with the standard library alone:\n\n```python\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toBeDefined();
    const secret = generateWebhookSecret();
    const body = '{"job_name":"py","data":[1,2]}';
    const headers = new WebhookSigner([generateWebhookSecret(), secret]).headers('job-py', Math.floor(Date.now() / 1000), body);
    const program = `${snippet}
import json, sys
d = json.loads(sys.stdin.read())
verify(d["secret"], d["headers"], d["body"].encode())
try:
    verify(d["secret"], d["headers"], d["body"].encode() + b" ")
    print("tampered body accepted")
except ValueError:
    print("ok")
`;
    const run = spawnSync('python3', ['-c', program], { input: JSON.stringify({ secret, headers, body }), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('ok');
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 01 Jan 2029 00:00:05 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('999999999', now)).toBe(24 * 3_600_000);
  });
});
