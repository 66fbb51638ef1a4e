import { describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { createLogger } from '../../src/server/logger.js';

function capture(level: 'error' | 'info' = 'info') {
  const lines: string[] = [];
  let now = Date.UTC(2030, 0, 1);
  const logger = createLogger(level, (line) => lines.push(line), () => now);
  return { lines, logger, advance: (ms: number) => (now += ms) };
}

describe('logger', () => {
  it('writes one timestamped line per event, filtered by level', () => {
    const { lines, logger } = capture('error');
    logger.log('info', 'not shown');
    logger.log('error', 'shown');
    expect(lines).toEqual(['2030-01-01T00:00:00.000Z ERROR shown\n']);
  });

  it("writes Chime's own errors without a stack, other errors with one", () => {
    const { lines, logger } = capture();
    logger.log('error', 'claiming due jobs failed', new ChimeError('STORE_UNAVAILABLE', 'Redis is unreachable: connect ECONNREFUSED'));
    logger.log('error', 'a bug', new TypeError('x is undefined'));
    expect(lines[0]).toBe('2030-01-01T00:00:00.000Z ERROR claiming due jobs failed: Redis is unreachable: connect ECONNREFUSED\n');
    expect(lines[1]).toMatch(/ERROR a bug: TypeError: x is undefined\n\s+at /);
  });

  it('counts a repeated line instead of writing it again within ten seconds', () => {
    const { lines, logger, advance } = capture();
    const down = new ChimeError('STORE_UNAVAILABLE', 'PostgreSQL is unavailable');
    for (let i = 0; i < 50; i++) {
      logger.log('error', 'claiming due jobs failed', down);
      advance(100);
    }
    logger.log('warn', 'something else');
    expect(lines).toHaveLength(2);
    advance(5_000);
    logger.log('error', 'claiming due jobs failed', down);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/ERROR claiming due jobs failed: PostgreSQL is unavailable \(and 49 more like it since the last such line\)\n$/);
  });
});
