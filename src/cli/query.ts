/** `logradar events`, `logradar anomalies` and `logradar incidents`: read the store, also while `watch` writes it (WAL readers). */
import type { Command } from 'commander';
import type { LogStore } from '../model/store.js';
import { openStore } from '../store/open.js';
import { action, configFromFlags, countFlag, gradeFlag, timeFlag, withCommonFlags, writeJsonLine, type CommonFlags } from './common.js';
import { anomalyJson, anomalyLine, eventJson, eventLine, incidentJson, incidentLine } from './format.js';
import { writeOut } from './output.js';

interface EventFlags extends CommonFlags {
  source?: string;
  since?: string;
  until?: string;
  grep?: string;
  limit?: string;
  json?: boolean;
}

interface AnomalyFlags extends CommonFlags {
  source?: string;
  since?: string;
  until?: string;
  minGrade?: string;
  limit?: string;
  json?: boolean;
}

export function registerQuery(program: Command): void {
  withCommonFlags(
    program
      .command('events')
      .description('list stored events (time, source, line number, template id, raw text)')
      .option('--source <name>', 'only this source')
      .option('--since <time>', 'from this time: a duration back (30s, 15m, 24h, 400d) or ISO 8601')
      .option('--until <time>', 'up to this time')
      .option('--grep <text>', 'only events whose raw text contains this')
      .option('--limit <n>', 'at most n events (default 100; no default with --json)')
      .option('--json', 'NDJSON, one object per event'),
  ).action(
    action((flags: EventFlags) =>
      printStored(
        flags,
        (store, limit) => store.events({ source: flags.source, since: timeFlag('--since', flags.since), until: timeFlag('--until', flags.until), grep: flags.grep, limit }),
        eventJson,
        eventLine,
      ),
    ),
  );

  withCommonFlags(
    program
      .command('anomalies')
      .description('list stored anomalies with their reasons')
      .option('--source <name>', 'only this source')
      .option('--since <time>', 'from this time: a duration back (30s, 15m, 24h, 400d) or ISO 8601')
      .option('--until <time>', 'up to this time')
      .option('--min-grade <g>', 'only anomalies graded at least g (0..1)')
      .option('--limit <n>', 'at most n anomalies (default 100; no default with --json)')
      .option('--json', 'NDJSON, one object per anomaly'),
  ).action(
    action((flags: AnomalyFlags) =>
      printStored(
        flags,
        (store, limit) => store.anomalies({ source: flags.source, since: timeFlag('--since', flags.since), until: timeFlag('--until', flags.until), minGrade: gradeFlag('--min-grade', flags.minGrade), limit }),
        anomalyJson,
        anomalyLine,
        'no anomalies',
      ),
    ),
  );

  withCommonFlags(
    program
      .command('incidents')
      .description('list stored incidents: anomalies of a source close in time, merged across sources by the master')
      .option('--source <name>', 'only incidents of this source')
      .option('--since <time>', 'incidents that end at or after this time: a duration back (30s, 15m, 24h, 400d) or ISO 8601')
      .option('--until <time>', 'incidents that start at or before this time')
      .option('--limit <n>', 'at most n incidents (default 100; no default with --json)')
      .option('--json', 'NDJSON, one object per incident'),
  ).action(
    action((flags: EventFlags) =>
      printStored(
        flags,
        (store, limit) => store.incidents({ source: flags.source, since: timeFlag('--since', flags.since), until: timeFlag('--until', flags.until), limit }),
        incidentJson,
        incidentLine,
        'no incidents',
      ),
    ),
  );
}

/**
 * The one shape of the three listings: the store opened read-only, `--limit` (default 100, none with
 * --json), each row as NDJSON or a line, and `none` on stderr when a text listing is empty.
 */
async function printStored<T>(
  flags: CommonFlags & { limit?: string; json?: boolean },
  query: (store: LogStore, limit: number | undefined) => Iterable<T>,
  json: (row: T) => Record<string, unknown>,
  line: (row: T, color: boolean) => string,
  none?: string,
): Promise<void> {
  const config = configFromFlags(flags);
  const store = openStore(config.dataDir, { readonly: true });
  try {
    const limit = countFlag('--limit', flags.limit) ?? (flags.json ? undefined : 100);
    const color = !!process.stdout.isTTY;
    let rows = 0;
    for (const row of query(store, limit)) {
      rows++;
      if (flags.json) await writeJsonLine(json(row));
      else await writeOut(line(row, color) + '\n');
    }
    if (!flags.json && rows === 0 && none) process.stderr.write(`${none}\n`);
  } finally {
    store.close();
  }
}
