#!/usr/bin/env node
/** The `logradar` command line: one file per command, each registering itself here. */
import { Command } from 'commander';
import { registerBatch } from './batch.js';
import { registerConfig } from './config.js';
import { registerDemo } from './demo.js';
import { registerGenerate } from './generate.js';
import { registerModels } from './models.js';
import { registerParse } from './parse.js';
import { registerFeedback } from './feedback.js';
import { registerQuery } from './query.js';
import { registerReport } from './report.js';
import { registerServe } from './serve.js';
import { registerStatus } from './status.js';
import { registerWatch } from './watch.js';
import { guardStdout } from './output.js';
import { fail } from './common.js';

guardStdout();

const program = new Command();
program
  .name('logradar')
  .description('Real-time log anomaly detection: tail, parse, learn, score, explain.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride((err) => {
    // --help and --version exit 0; usage errors exit 2.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerDemo(program);
registerWatch(program);
registerServe(program);
registerParse(program);
registerBatch(program);
registerQuery(program);
registerFeedback(program);
registerReport(program);
registerStatus(program);
registerGenerate(program);
registerConfig(program);
registerModels(program);

// `logradar nosuch --help` would print the global help and exit 0: an unknown command is an error first.
const first = process.argv[2];
if (first !== undefined && !first.startsWith('-') && first !== 'help' && !program.commands.some((c) => c.name() === first)) {
  process.stderr.write(`logradar: unknown command '${first}' (see logradar --help)\n`);
  process.exit(2);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  fail(e);
}
