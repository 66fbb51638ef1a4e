import { afterEach, describe, expect, it } from 'vitest';
import { SyntaxProblem } from '../../src/core/errors.js';
import { assertTimeZone, gapEnd, offsetAt, transitionBetween, wallTimeToInstants } from '../../src/core/timezone.js';

const H = 3_600_000;
const M = 60_000;
const NY = 'America/New_York';
const LONDON = 'Europe/London';
const LORD_HOWE = 'Australia/Lord_Howe';
const at = (text: string): number => Date.parse(text);

describe('assertTimeZone', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('returns canonical IANA names', () => {
    expect(assertTimeZone('UTC')).toBe('UTC');
    expect(assertTimeZone('Europe/London')).toBe('Europe/London');
    expect(assertTimeZone('america/new_york')).toBe('America/New_York');
    expect(assertTimeZone('Etc/UTC')).toBe('UTC');
    expect(assertTimeZone('Etc/GMT+5')).toBe('Etc/GMT+5');
  });

  it('maps Local to the process zone', () => {
    process.env.TZ = 'Asia/Tokyo';
    expect(assertTimeZone('Local')).toBe('Asia/Tokyo');
    process.env.TZ = 'America/New_York';
    expect(assertTimeZone('Local')).toBe('America/New_York');
  });

  it.each(['Mars/Olympus', 'Europe/Londres', '+05:30', 'UTC+1', '../etc/passwd', 'Europe/London '])(
    'rejects %j',
    (name) => {
      expect(() => assertTimeZone(name)).toThrow(SyntaxProblem);
      expect(() => assertTimeZone(name)).toThrow(
        `unknown time zone "${name}"; use an IANA name such as "Europe/London" or "UTC"`,
      );
    },
  );

  it('rejects an empty name', () => {
    expect(() => assertTimeZone('')).toThrow(/^empty time zone name/);
  });
});

describe('offsetAt', () => {
  it('gives standard and daylight offsets', () => {
    expect(offsetAt('UTC', at('2025-07-01T00:00:00Z'))).toBe(0);
    expect(offsetAt(NY, at('2025-01-15T12:00:00Z'))).toBe(-5 * H);
    expect(offsetAt(NY, at('2025-07-15T12:00:00Z'))).toBe(-4 * H);
    expect(offsetAt(LONDON, at('2025-01-15T12:00:00Z'))).toBe(0);
    expect(offsetAt(LONDON, at('2025-07-15T12:00:00Z'))).toBe(H);
    expect(offsetAt('Asia/Kolkata', 0)).toBe(5 * H + 30 * M);
    expect(offsetAt('Asia/Kathmandu', at('2025-01-01T00:00:00Z'))).toBe(5 * H + 45 * M);
    expect(offsetAt(LORD_HOWE, at('2025-07-01T00:00:00Z'))).toBe(10 * H + 30 * M);
    expect(offsetAt(LORD_HOWE, at('2025-01-01T00:00:00Z'))).toBe(11 * H);
  });

  it('switches exactly at the transition instant, to the millisecond', () => {
    expect(offsetAt(NY, at('2025-03-09T06:59:59.999Z'))).toBe(-5 * H);
    expect(offsetAt(NY, at('2025-03-09T07:00:00.000Z'))).toBe(-4 * H);
    expect(offsetAt(NY, at('2025-11-02T05:59:59.999Z'))).toBe(-4 * H);
    expect(offsetAt(NY, at('2025-11-02T06:00:00.000Z'))).toBe(-5 * H);
    expect(offsetAt(LORD_HOWE, at('2025-04-05T14:59:59Z'))).toBe(11 * H);
    expect(offsetAt(LORD_HOWE, at('2025-04-05T15:00:00Z'))).toBe(10 * H + 30 * M);
  });

  it('gives second-precision local mean time and survives years before 1', () => {
    const lmt = -(4 * H + 56 * M + 2_000);
    expect(offsetAt(NY, at('1800-01-01T00:00:00Z'))).toBe(lmt);
    expect(offsetAt(NY, Date.UTC(-100, 0, 1))).toBe(lmt);
  });

  it('agrees with Intl longOffset names every 7 hours through a year', () => {
    for (const zone of [LONDON, NY, LORD_HOWE]) {
      const names = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      for (let t = at('2025-01-01T00:30:00Z'); t < at('2026-01-01T00:00:00Z'); t += 7 * H) {
        const name = names.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? '';
        const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
        expect(match).not.toBeNull();
        const sign = match?.[1] === '-' ? -1 : 1;
        expect(offsetAt(zone, t)).toBe(sign * (Number(match?.[2] ?? 0) * H + Number(match?.[3] ?? 0) * M));
      }
    }
  });
});

describe('wallTimeToInstants', () => {
  it('gives one instant for an ordinary wall time', () => {
    expect(wallTimeToInstants(NY, Date.UTC(2025, 0, 15, 9))).toEqual([at('2025-01-15T14:00:00Z')]);
    expect(wallTimeToInstants('UTC', Date.UTC(2025, 2, 9, 2, 30))).toEqual([at('2025-03-09T02:30:00Z')]);
  });

  it('gives none in a spring-forward gap', () => {
    expect(wallTimeToInstants(NY, Date.UTC(2025, 2, 9, 2, 0))).toEqual([]);
    expect(wallTimeToInstants(NY, Date.UTC(2025, 2, 9, 2, 59, 59))).toEqual([]);
    expect(wallTimeToInstants(NY, Date.UTC(2025, 2, 9, 3, 0))).toEqual([at('2025-03-09T07:00:00Z')]);
    expect(wallTimeToInstants(NY, Date.UTC(2025, 2, 9, 1, 59, 59))).toEqual([at('2025-03-09T06:59:59Z')]);
    expect(wallTimeToInstants(LONDON, Date.UTC(2025, 2, 30, 1, 30))).toEqual([]);
    expect(wallTimeToInstants(LORD_HOWE, Date.UTC(2025, 9, 5, 2, 15))).toEqual([]);
    expect(wallTimeToInstants(LORD_HOWE, Date.UTC(2025, 9, 5, 2, 30))).toEqual([at('2025-10-04T15:30:00Z')]);
  });

  it('gives two ascending instants in a fall-back overlap', () => {
    expect(wallTimeToInstants(NY, Date.UTC(2025, 10, 2, 1, 30))).toEqual([
      at('2025-11-02T05:30:00Z'),
      at('2025-11-02T06:30:00Z'),
    ]);
    expect(wallTimeToInstants(NY, Date.UTC(2025, 10, 2, 1, 0))).toEqual([
      at('2025-11-02T05:00:00Z'),
      at('2025-11-02T06:00:00Z'),
    ]);
    expect(wallTimeToInstants(NY, Date.UTC(2025, 10, 2, 2, 0))).toEqual([at('2025-11-02T07:00:00Z')]);
    expect(wallTimeToInstants(LONDON, Date.UTC(2025, 9, 26, 1, 15))).toEqual([
      at('2025-10-26T00:15:00Z'),
      at('2025-10-26T01:15:00Z'),
    ]);
    // Lord Howe goes back by 30 minutes only.
    expect(wallTimeToInstants(LORD_HOWE, Date.UTC(2025, 3, 6, 1, 45))).toEqual([
      at('2025-04-05T14:45:00Z'),
      at('2025-04-05T15:15:00Z'),
    ]);
    expect(wallTimeToInstants(LORD_HOWE, Date.UTC(2025, 3, 6, 1, 15))).toEqual([at('2025-04-05T14:15:00Z')]);
  });

  it('maps back to the same wall time for every quarter hour of a year', () => {
    for (const zone of [NY, LORD_HOWE]) {
      let gaps = 0;
      let overlaps = 0;
      for (let wall = Date.UTC(2025, 0, 1); wall < Date.UTC(2026, 0, 1); wall += 15 * M) {
        const instants = wallTimeToInstants(zone, wall);
        for (const instant of instants) expect(instant + offsetAt(zone, instant)).toBe(wall);
        if (instants.length === 0) gaps++;
        if (instants.length === 2) {
          overlaps++;
          expect(instants[0]).toBeLessThan(instants[1] as number);
        }
      }
      // New York: 4 quarter hours skipped and 4 repeated; Lord Howe: 2 and 2.
      expect([gaps, overlaps]).toEqual(zone === NY ? [4, 4] : [2, 2]);
    }
  });
});

describe('gapEnd and transitionBetween', () => {
  it('gives the transition instant for a wall time in a gap', () => {
    expect(gapEnd(NY, Date.UTC(2025, 2, 9, 2, 30))).toBe(at('2025-03-09T07:00:00Z'));
    expect(gapEnd(NY, Date.UTC(2025, 2, 9, 2, 0))).toBe(at('2025-03-09T07:00:00Z'));
    expect(gapEnd(LONDON, Date.UTC(2025, 2, 30, 1, 59, 59))).toBe(at('2025-03-30T01:00:00Z'));
    expect(gapEnd(LORD_HOWE, Date.UTC(2025, 9, 5, 2, 15))).toBe(at('2025-10-04T15:30:00Z'));
  });

  it('refuses a wall time outside a gap', () => {
    expect(() => gapEnd(NY, Date.UTC(2025, 2, 9, 3, 0))).toThrow(RangeError);
    expect(() => gapEnd(NY, Date.UTC(2025, 10, 2, 1, 30))).toThrow(RangeError);
    expect(() => gapEnd('UTC', Date.UTC(2025, 2, 9, 2, 30))).toThrow(RangeError);
  });

  it('finds a transition between two instants', () => {
    expect(transitionBetween(NY, at('2025-11-01T00:00:00Z'), at('2025-11-03T00:00:00Z'))).toBe(at('2025-11-02T06:00:00Z'));
    expect(transitionBetween(LONDON, at('2025-01-01T00:00:00Z'), at('2025-06-01T00:00:00Z'))).toBe(at('2025-03-30T01:00:00Z'));
    expect(() => transitionBetween(NY, at('2025-04-01T00:00:00Z'), at('2025-05-01T00:00:00Z'))).toThrow(RangeError);
  });
});
