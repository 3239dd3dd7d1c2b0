/** `logradar report`: the summary of a period of a data dir (volumes, templates, errors, incidents, Postfix), printed, written or mailed. */
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { REPORT_FORMATS } from '../config/schema.js';
import { LogradarError, UsageError } from '../model/errors.js';
import { mailReport, reportMailer } from '../report/mail.js';
import type { ReportFormat } from '../report/render.js';
import { makeReport } from '../report/report.js';
import { openStore } from '../store/open.js';
import { action, configFromFlags, countFlag, timeFlag, withCommonFlags, type CommonFlags } from './common.js';

interface ReportFlags extends CommonFlags {
  since?: string;
  until?: string;
  format: string;
  mail?: boolean;
  out?: string;
  top?: string;
}

export function registerReport(program: Command): void {
  withCommonFlags(
    program
      .command('report')
      .description('summary of a period: lines per source and hour, top and new templates, errors, incidents with dashboard links; pflogsumm-like sections for Postfix')
      .option('--since <time>', 'start: a duration back from now (24h, 7d) or an ISO 8601 time (default report.since, 24h)')
      .option('--until <time>', 'end: a duration back from now or an ISO 8601 time (default now)')
      .option('--format <format>', `output format: ${REPORT_FORMATS.join('|')}`, 'text')
      .option('--top <n>', 'rows of each top list (default report.top, 10)')
      .option('--out <file>', 'write the report to this file instead of standard output')
      .option('--mail', 'also mail it (HTML and text) through the e-mail alert channel, to report.to'),
  ).action(
    action(async (flags: ReportFlags) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format: "${flags.format}" is not one of ${REPORT_FORMATS.join(', ')}`);
      const top = countFlag('--top', flags.top);
      const config = configFromFlags(flags);
      const now = Date.now();
      const until = timeFlag('--until', flags.until) ?? now;
      const since = timeFlag('--since', flags.since) ?? until - config.report.since;
      if (since > until) throw new UsageError(`--since (${new Date(since).toISOString()}) is after --until (${new Date(until).toISOString()})`);
      if (!existsSync(config.dataDir)) throw new LogradarError('LOGRADAR_ERR_STORE', `no data dir ${config.dataDir} (give the --data-dir that watch or serve writes to)`, 2);
      // no e-mail channel: refused before any work
      const mailer = flags.mail ? reportMailer(config) : undefined;
      const store = openStore(config.dataDir, { readonly: true });
      let report;
      try {
        report = makeReport(store, config, { since, until, now, top });
      } finally {
        store.close();
      }
      const text = report.render(flags.format as ReportFormat);
      if (flags.out) writeFileSync(flags.out, text);
      else process.stdout.write(text);
      if (mailer) {
        try {
          await mailReport(report, mailer, config.report.to);
        } catch (e) {
          throw new LogradarError('LOGRADAR_ERR_IO', `the report was not mailed: ${(e as Error).message}`);
        } finally {
          mailer.close();
        }
        process.stderr.write(`logradar: report mailed (${report.subject})\n`);
      }
    }),
  );
}
