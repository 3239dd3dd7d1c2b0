/**
 * `logradar models list|rollback|retrain`: the versions of each source's learned models. A rollback only
 * marks a version active; a running watch/serve switches to it within seconds (it checks the active
 * version every 5 s), a stopped one at its next start.
 */
import type { Command } from 'commander';
import { MetricsRegistry } from '../model/metrics.js';
import { UsageError } from '../model/errors.js';
import { retrainAll, retrainSource, type RetrainResult } from '../pipeline/retrain.js';
import type { ModelVersionInfo } from '../model/store.js';
import { openStore } from '../store/open.js';
import { createLogger } from '../util/log.js';
import { isoTime } from '../util/units.js';
import { action, configFromFlags, withCommonFlags, type CommonFlags } from './common.js';

interface ModelsFlags extends CommonFlags {
  source?: string;
  previous?: boolean;
  json?: boolean;
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('versions of the learned models: list, roll back, retrain now');
  withCommonFlags(models.command('list').description('every kept model version: id, source, created, training range, records, active').option('--source <name>', 'only this source').option('--json', 'NDJSON, one object per version')).action(
    action((flags: ModelsFlags) => {
      const store = openStore(configFromFlags(flags).dataDir, { readonly: true });
      try {
        const rows = store.versions.list(flags.source);
        if (flags.json) {
          for (const v of rows) process.stdout.write(JSON.stringify(versionJson(v)) + '\n');
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no model versions yet (retraining makes them: see retrain.schedule, or run `logradar models retrain`)\n');
          return;
        }
        const table = [['id', 'source', 'created', 'training range', 'records', 'active'], ...rows.map((v) => [String(v.id), v.source, isoTime(v.created), rangeText(v), String(v.records), v.active ? 'active' : ''])];
        const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
        for (const r of table) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
      } finally {
        store.close();
      }
    }),
  );
  withCommonFlags(
    models
      .command('rollback')
      .description('make a model version active again (a running watch/serve switches within 5 s, otherwise at its next start)')
      .argument('[version-id]', 'the version to make active (see `models list`)')
      .option('--source <name>', 'with --previous: the source whose previous version to make active')
      .option('--previous', 'the version made before the active one of --source'),
  ).action(
    action((id: string | undefined, flags: ModelsFlags) => {
      if ((id === undefined) === !flags.previous) throw new UsageError('models rollback: give a version id, or --source S --previous');
      if (flags.previous && flags.source === undefined) throw new UsageError('models rollback --previous needs --source');
      const store = openStore(configFromFlags(flags).dataDir);
      try {
        let target: ModelVersionInfo | undefined;
        if (id !== undefined) {
          target = /^\d+$/.test(id) ? store.versions.get(Number(id)) : undefined;
          if (!target) throw new UsageError(`models rollback: no model version ${JSON.stringify(id)} (see \`logradar models list\`)`);
        } else {
          target = store.versions.previous(flags.source!);
          if (!target) throw new UsageError(`models rollback: source ${JSON.stringify(flags.source)} has no version before its active one`);
        }
        const was = store.versions.active(target.source);
        store.versions.activate(target.id);
        process.stdout.write(`${target.source}: version ${target.id} active${was !== undefined && was !== target.id ? ` (was ${was})` : ''}\n`);
      } finally {
        store.close();
      }
    }),
  );
  withCommonFlags(models.command('retrain').description('refit the learned models now from the stored events of retrain.window (as the schedule does)').option('--source <name>', 'only this source').option('--json', 'NDJSON, one object per new version')).action(
    action((flags: ModelsFlags) => {
      const config = configFromFlags(flags);
      const store = openStore(config.dataDir);
      try {
        const log = createLogger(config.logLevel);
        const now = Date.now();
        let done: RetrainResult[];
        if (flags.source === undefined) done = retrainAll(config, store, now, log, new MetricsRegistry());
        else {
          if (!store.sourceNames().includes(flags.source)) throw new UsageError(`models retrain: no source ${JSON.stringify(flags.source)} in ${config.dataDir}`);
          const r = retrainSource(config, store, flags.source, now, log);
          done = r ? [r] : [];
        }
        for (const r of done) {
          if (flags.json) process.stdout.write(JSON.stringify({ ...r, from: isoTime(r.from), to: isoTime(r.to) }) + '\n');
          else process.stdout.write(`${r.source}: version ${r.version} active, ${r.records} records of ${isoTime(r.from)} .. ${isoTime(r.to)} (${r.excluded} left out as confirmed anomalies)\n`);
        }
        if (done.length === 0 && !flags.json) process.stdout.write('nothing to retrain: no stored events in the training range\n');
      } finally {
        store.close();
      }
    }),
  );
}

function rangeText(v: ModelVersionInfo): string {
  return v.from === undefined || v.to === undefined ? '(learned online)' : `${isoTime(v.from)} .. ${isoTime(v.to)}`;
}

function versionJson(v: ModelVersionInfo): Record<string, unknown> {
  return { id: v.id, source: v.source, created: isoTime(v.created), from: v.from === undefined ? null : isoTime(v.from), to: v.to === undefined ? null : isoTime(v.to), records: v.records, active: v.active };
}
