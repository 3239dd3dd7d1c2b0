/** The store of a data directory, for the commands that open one: SQLite, the embedded default. */
import type { LogStore } from '../model/store.js';
import { SqliteStore } from './sqlite/store.js';

/** Opens (creating unless `readonly`) the store in `dataDir`; refuses a store written by a newer version. */
export function openStore(dataDir: string, opts: { readonly?: boolean } = {}): LogStore {
  return SqliteStore.open(dataDir, opts);
}
