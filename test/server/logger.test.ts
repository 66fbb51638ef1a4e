import { describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { createLogger, redactSecrets, type LogFormat } from '../../src/server/logger.js';

function capture(level: 'error' | 'info' = 'info', format: LogFormat = 'json') {
  const lines: string[] = [];
  let now = Date.UTC(2030, 0, 1);
  const logger = createLogger(level, { format, write: (line) => lines.push(line), clock: () => now });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, records, logger, advance: (ms: number) => (now += ms) };
}

describe('logger', () => {
  it('writes one timestamped JSON line per event, filtered by level', () => {
    const { lines, records, logger } = capture('error');
    logger.log('info', 'not shown');
    logger.log('error', 'shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(records()[0]).toMatchObject({ level: 'error', time: '2030-01-01T00:00:00.000Z', msg: 'shown' });
  });

  it("writes Chime's own errors without a stack, other errors with one", () => {
    const { records, logger } = capture();
    logger.log('error', 'claiming due jobs failed', new ChimeError('STORE_UNAVAILABLE', 'Redis is unreachable: connect ECONNREFUSED'));
    logger.log('error', 'a bug', new TypeError('x is undefined'));
    const [chime, bug] = records();
    expect(chime).toMatchObject({ msg: 'claiming due jobs failed', err: { code: 'STORE_UNAVAILABLE', message: 'Redis is unreachable: connect ECONNREFUSED' } });
    expect((chime!.err as Record<string, unknown>).stack).toBeUndefined();
    expect(bug).toMatchObject({ msg: 'a bug', err: { type: 'TypeError', message: 'x is undefined' } });
    expect((bug!.err as { stack: string }).stack).toMatch(/TypeError: x is undefined\n\s+at /);
  });

  it('counts a repeated line instead of writing it again within ten seconds', () => {
    const { records, logger, advance } = capture();
    const down = new ChimeError('STORE_UNAVAILABLE', 'PostgreSQL is unavailable');
    for (let i = 0; i < 50; i++) {
      logger.log('error', 'claiming due jobs failed', down);
      advance(100);
    }
    logger.log('warn', 'something else');
    expect(records()).toHaveLength(2);
    advance(5_000);
    logger.log('error', 'claiming due jobs failed', down);
    expect(records()).toHaveLength(3);
    expect(records()[2]).toMatchObject({ msg: 'claiming due jobs failed', repeated: 49, err: { message: 'PostgreSQL is unavailable' } });
  });

  it('child loggers carry their fields on every line', () => {
    const { records, logger } = capture();
    logger.child({ job_id: 'j1', job_name: 'nightly', queue: '$callbacks', attempt: 2, node: 'n1' }).log('warn', 'job failed', undefined, { http_status: 500 });
    expect(records()[0]).toMatchObject({ level: 'warn', job_id: 'j1', job_name: 'nightly', queue: '$callbacks', attempt: 2, node: 'n1', http_status: 500 });
  });

  it('redacts secrets in messages, errors and well-known fields', () => {
    const { lines, logger } = capture();
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6ImFkbWluIn0.c2lnbmF0dXJl';
    logger.log('error', 'connect to postgres://chime:hunter2@db:5432/chime failed', new Error(`redis://:s3cret@cache:6379 refused; Authorization: Bearer ${token}`));
    logger.pino.info({ token: 'abc', req: { headers: { authorization: `Bearer ${token}` } } }, 'request');
    const text = lines.join('');
    for (const secret of ['hunter2', 's3cret', token, '"abc"']) expect(text).not.toContain(secret);
    expect(text).toContain('postgres://chime:[redacted]@db:5432/chime');
    expect(redactSecrets('GET /x?token=abc&b=1')).toBe('GET /x?token=[redacted]&b=1');
    expect(redactSecrets('redis://:***@cache:6379')).toBe('redis://:***@cache:6379');
  });

  it('pretty format writes readable lines, not JSON', () => {
    const { lines, logger } = capture('info', 'pretty');
    logger.log('warn', 'job nightly attempt 1 will retry: app answered HTTP 500', undefined, { job_id: 'j1' });
    expect(lines[0]).toMatch(/WARN.*job nightly attempt 1 will retry: app answered HTTP 500/);
    expect(lines[0]).toMatch(/job_id: "j1"/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });
});
