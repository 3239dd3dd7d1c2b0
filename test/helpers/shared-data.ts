/** Where the shared benchmark data lives: `../shared/data` beside the repository (never committed here). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED_DATA = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** The path of a shared data file, and whether it is there (tests skip with this message when not). */
export function sharedData(rel: string): { path: string; present: boolean; why: string } {
  const path = join(SHARED_DATA, rel);
  return { path, present: existsSync(path), why: `needs ${path} (../shared/data beside the repository)` };
}
