/** `logradar status`: files with their checkpoints, and the counters of every component. */
import type { Command } from 'commander';
import { openStore } from '../store/open.js';
import { isoTime } from '../util/units.js';
import { action, configFromFlags, withCommonFlags, type CommonFlags } from './common.js';

export function registerStatus(program: Command): void {
  withCommonFlags(program.command('status').description('files, checkpoints and counters of a data dir').option('--json', 'one JSON object')).action(
    action((flags: CommonFlags & { json?: boolean }) => {
      const config = configFromFlags(flags);
      const store = openStore(config.dataDir, { readonly: true });
      try {
        const files = store.listFiles();
        const counters = store.loadCounters();
        const templates = store.loadTemplates().filter((t) => !t.evicted).length;
        if (flags.json) {
          process.stdout.write(JSON.stringify({ files, templates, counters }) + '\n');
          return;
        }
        process.stdout.write(`${files.length} files, ${templates} templates\n`);
        for (const f of files) process.stdout.write(`  ${f.path}  source=${f.source} offset=${f.offset} line=${f.line}${f.gone ? ' (gone)' : ''} last read ${isoTime(f.lastRead)}\n`);
        process.stdout.write(JSON.stringify(counters, null, 2) + '\n');
      } finally {
        store.close();
      }
    }),
  );
}
