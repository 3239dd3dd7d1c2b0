/** Cron patterns (croner syntax), checked without scheduling anything. */
import { Cron } from 'croner';

/** Why a cron pattern is not usable, or undefined when it is. */
export function cronPatternError(pattern: string): string | undefined {
  try {
    new Cron(pattern, { paused: true });
    return undefined;
  } catch (e) {
    return `not a cron pattern: "${pattern}" (${(e as Error).message}; e.g. 0 3 * * 0 for Sundays at 03:00)`;
  }
}

/** The first time strictly after `after` (ms) that `pattern` fires, in the process's local time; undefined when it never does again. */
export function nextCronTime(pattern: string, after: number): number | undefined {
  return new Cron(pattern, { paused: true }).nextRun(new Date(after))?.getTime();
}
