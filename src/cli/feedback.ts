/**
 * `logradar feedback ID ACTION`: the dashboard's feedback from a terminal. A false positive silences the
 * anomaly's signature from now on and tells the learned detectors that graded it that its score was
 * normal; a mute silences it for --hours; a confirm labels it (retraining keeps its records out). A
 * running `watch` on the same data dir picks it up within seconds.
 */
import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { anomalySignature } from '../model/signature.js';
import type { FeedbackAction } from '../model/store.js';
import { openStore } from '../store/open.js';
import { action, configFromFlags, numberFlag, withCommonFlags, writeJsonLine, type CommonFlags } from './common.js';
import { writeOut } from './output.js';

interface FeedbackFlags extends CommonFlags {
  hours?: string;
  note?: string;
  by?: string;
  json?: boolean;
}

const ACTIONS: Record<string, FeedbackAction> = { 'false-positive': 'false_positive', confirm: 'confirm', mute: 'mute' };

export function registerFeedback(program: Command): void {
  withCommonFlags(
    program
      .command('feedback')
      .description('mark a stored anomaly: false-positive (silences its kind from now on), confirm, or mute (for --hours)')
      .argument('<id>', 'the anomaly id (`logradar anomalies` shows it as #id)')
      .argument('<action>', 'false-positive | confirm | mute')
      .option('--hours <n>', 'mute only: for this many hours (default 24)')
      .option('--note <text>', 'a note kept with the feedback')
      .option('--by <name>', 'who gives it (default $USER)')
      .option('--json', 'print the stored feedback as JSON'),
  ).action(
    action(async (idArg: string, actionArg: string, flags: FeedbackFlags) => {
      const id = Number(idArg);
      if (!Number.isInteger(id) || id < 1) throw new UsageError(`<id>: "${idArg}" is not an anomaly id`);
      const act = Object.hasOwn(ACTIONS, actionArg) ? ACTIONS[actionArg] : undefined;
      if (!act) throw new UsageError(`<action>: "${actionArg}" is not one of ${Object.keys(ACTIONS).join(', ')}`);
      const hours = numberFlag('--hours', flags.hours);
      if (hours !== undefined && (act !== 'mute' || hours <= 0 || hours > 24 * 366)) throw new UsageError(`--hours: ${act !== 'mute' ? 'only with mute' : `"${flags.hours}" is not between 0 and 8784 hours`}`);
      const config = configFromFlags(flags);
      const store = openStore(config.dataDir);
      try {
        const a = store.queries.anomaly(id);
        if (!a) throw new UsageError(`no anomaly #${id} in ${config.dataDir}`);
        const now = Date.now();
        const fb = store.queries.addFeedback(
          {
            anomalyId: a.id,
            action: act,
            signature: a.signature || anomalySignature(a),
            by: flags.by ?? process.env.USER ?? 'cli',
            note: flags.note,
            until: act === 'mute' ? now + (hours ?? 24) * 3_600_000 : undefined,
          },
          now,
        );
        if (flags.json) await writeJsonLine({ ...fb, created: new Date(fb.created).toISOString(), ...(fb.until !== undefined ? { until: new Date(fb.until).toISOString() } : {}) });
        else {
          const what = act === 'false_positive' ? 'false positive: anomalies of this kind are suppressed from now on' : act === 'mute' ? `muted until ${new Date(fb.until!).toISOString()}` : 'confirmed';
          await writeOut(`#${a.id} ${what} (${fb.signature})\n`);
        }
      } finally {
        store.close();
      }
    }),
  );
}
