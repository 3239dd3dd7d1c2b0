import { describe, expect, it } from 'vitest';
import { isoTime, parseByteSize, parseDuration, parseTimeSpec } from './units.js';

describe('parseDuration', () => {
  it('reads every unit and bare numbers as milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('1500')).toBe(1500);
  });

  it('accepts fractions and surrounding spaces', () => {
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(' 2 m ')).toBe(120_000);
  });

  it('rejects garbage', () => {
    for (const bad of ['', 'fast', '10x', '-5s', 's', '1.2.3s', '5 seconds']) expect(parseDuration(bad), bad).toBeUndefined();
  });
});

describe('parseByteSize', () => {
  it('reads binary and decimal units, case-insensitively', () => {
    expect(parseByteSize('64KiB')).toBe(65_536);
    expect(parseByteSize('64kib')).toBe(65_536);
    expect(parseByteSize('1MiB')).toBe(1_048_576);
    expect(parseByteSize('1GiB')).toBe(1_073_741_824);
    expect(parseByteSize('10MB')).toBe(10_000_000);
    expect(parseByteSize('2kb')).toBe(2000);
    expect(parseByteSize('1k')).toBe(1024);
    expect(parseByteSize('512')).toBe(512);
    expect(parseByteSize('0.5KiB')).toBe(512);
  });

  it('rejects unknown units and garbage', () => {
    for (const bad of ['', 'big', '10 parsecs', '5TB', '-1KiB', 'KiB']) expect(parseByteSize(bad), bad).toBeUndefined();
  });
});

describe('parseTimeSpec', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);

  it('reads a duration as that long before now', () => {
    expect(parseTimeSpec('24h', now)).toBe(now - 86_400_000);
    expect(parseTimeSpec('30s', now)).toBe(now - 30_000);
    expect(parseTimeSpec('400d', now)).toBe(now - 400 * 86_400_000);
  });

  it('reads ISO 8601 times', () => {
    expect(parseTimeSpec('2026-11-21T10:00:00Z', now)).toBe(Date.UTC(2026, 10, 21, 10, 0, 0));
    expect(parseTimeSpec('2026-11-21T10:00:00+01:00', now)).toBe(Date.UTC(2026, 10, 21, 9, 0, 0));
    expect(parseTimeSpec('2026-11-21', now)).toBe(Date.UTC(2026, 10, 21));
  });

  it('returns undefined for anything else, including a bare number', () => {
    for (const bad of ['', 'yesterday', '1500', '2026-99-99T00:00:00Z', 'fast']) expect(parseTimeSpec(bad, now), bad).toBeUndefined();
  });
});

describe('isoTime', () => {
  it('prints UTC with a Z', () => {
    expect(isoTime(Date.UTC(2026, 10, 21, 10, 0, 0))).toBe('2026-11-21T10:00:00.000Z');
  });
});
