/**
 * Batch mode for history and evaluation (DESIGN §6): `train FILES --model DIR` learns a model from
 * files; `detect FILES --model DIR` scores files against it and prints anomalies (NDJSON with --json;
 * with --all a line for every session/record, anomalous or not). Both run the same pipeline as `watch`,
 * with a model directory instead of the SQLite store, and read each file once from its beginning.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { MetricsRegistry } from '../model/metrics.js';
import { UsageError } from '../model/errors.js';
import { ModelDir } from '../pipeline/model-dir.js';
import { Pipeline, type PipelineMode } from '../pipeline/pipeline.js';
import { multilineOptions } from '../sources/multiline.js';
import { StreamSource } from '../sources/stdin.js';
import { createLogger } from '../util/log.js';
import { action, configFromFlags, writeJsonLine, type CommonFlags } from './common.js';
import { anomalyJson, anomalyLine, round } from './format.js';
import { batchLogLevel, Progress } from './progress.js';
import { drained } from './output.js';

interface BatchFlags extends CommonFlags {
  model: string;
  sessionKey?: string;
  format?: string;
  source: string;
  json?: boolean;
  all?: boolean;
  records?: boolean;
}

function batchCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .argument('<files...>', 'log files, read from their beginning in the order given')
    .requiredOption('--model <dir>', 'model directory')
    .option('--session-key <regex>', 'lines sharing the first match of this regex form a session (e.g. blk_-?\\d+)')
    .option('--format <format>', 'auto | plain | json | kv | regex (default auto)')
    .option('--source <name>', 'the model (source) these files belong to', 'default')
    .option('--config <file>', 'YAML config file')
    .option('--log-level <level>', 'service log level: fatal|error|warn|info|debug|trace|silent');
}

export function registerBatch(program: Command): void {
  batchCommand(program, 'train', 'learn a model from log files (batch): templates, detector state, calibration').action(
    action(async (files: string[], flags: BatchFlags) => {
      const config = batchConfig(flags);
      const model = ModelDir.create(flags.model);
      // pass 1 learns (and fits the batch models at the end); pass 2 scores the same data with the
      // fitted models to give each calibrator the score history of normal operation
      const run = await runBatch(config, model, files, flags.source, { learn: true, report: false, stateEveryBatch: false });
      await runBatch(config, model, files, flags.source, { learn: false, report: false, stateEveryBatch: false, calibrate: true });
      model.save({
        created: new Date().toISOString(),
        trainedOn: run.lines,
        session: { key: config.session.key, field: config.session.field },
      });
      process.stderr.write(`trained on ${run.total} lines from ${files.length} file(s): ${run.templates} templates; model saved in ${flags.model}\n`);
    }),
  );
  batchCommand(program, 'detect', 'score log files against a trained model and print anomalies')
    .option('--json', 'NDJSON, one object per anomaly')
    .option('--all', 'with --json: a line for every session (and record, with --records), anomalous or not, with its grade')
    .option('--records', 'with --all: records too, not only sessions')
    .action(
      action(async (files: string[], flags: BatchFlags) => {
        const config = batchConfig(flags);
        const model = ModelDir.load(flags.model);
        const trainedKey = model.info?.session?.key;
        if (trainedKey !== config.session.key) process.stderr.write(`logradar: warning: the model was trained with session key ${trainedKey ?? '(none)'}, detecting with ${config.session.key ?? '(none)'}\n`);
        const color = !!process.stdout.isTTY;
        const write = (o: unknown) => void writeJsonLine(o);
        await runBatch(config, model, files, flags.source, { learn: false, report: true, stateEveryBatch: false }, (pipeline) => {
          pipeline.onAnomaly((a) => {
            if (flags.json) write({ ...anomalyJson(a), source: a.explain?.file ?? a.source, ...(flags.all ? { anomalous: true } : {}) });
            else process.stdout.write(anomalyLine(a, color) + '\n');
          });
          if (flags.json && flags.all) {
            pipeline.onScored(
              (s) => {
                // anomalous ones were printed with their explanation by the listener above
                if (s.grade >= config.detect.threshold) return;
                write({ kind: s.kind, source: s.file ?? s.source, line: s.line, ...(s.session !== undefined ? { session: s.session } : {}), grade: round(s.grade), detectors: s.detectors.map((g) => ({ detector: g.detector, grade: round(g.grade) })), anomalous: false });
              },
              { records: !!flags.records },
            );
          }
        });
        await drained();
      }),
    );
}

function batchConfig(flags: BatchFlags): Config {
  if (flags.all && !flags.json) throw new UsageError('--all needs --json');
  const config = configFromFlags(flags, {
    parse: flags.format ? { format: flags.format } : undefined,
    session: flags.sessionKey !== undefined ? { key: flags.sessionKey } : undefined,
  });
  return { ...config, logLevel: batchLogLevel(flags.logLevel, config.logLevel) as Config['logLevel'] };
}

interface BatchRun {
  total: number;
  templates: number;
  lines: Array<{ file: string; lines: number }>;
}

/** Streams every file through one pipeline (in order), then ends every open session and window. */
async function runBatch(config: Config, model: ModelDir, files: string[], source: string, mode: PipelineMode, setup?: (p: Pipeline) => void): Promise<BatchRun> {
  for (const f of files) {
    try {
      if (!statSync(f).isFile()) throw new Error('not a regular file');
    } catch (e) {
      throw new UsageError(`${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  const log = createLogger(config.logLevel);
  const metrics = new MetricsRegistry();
  const pipeline = new Pipeline(config, model, metrics, log, mode);
  setup?.(pipeline);
  const lines: BatchRun['lines'] = [];
  const progress = Progress.onTerminal(mode.learn ? 'learn' : mode.calibrate ? 'calibrate' : 'score', files.reduce((n, f) => n + statSync(f).size, 0), mode.report);
  for (const file of files) {
    let n = 0;
    const input = createReadStream(file, { highWaterMark: 1 << 20 });
    if (progress) input.on('data', (c) => progress.add(c.length));
    const src = new StreamSource(input, { name: source, file, maxLineBytes: config.files.maxLineBytes, dedupConsecutive: false, multiline: multilineOptions(config.parse) });
    await src.run({
      emit: async (b) => {
        n += b.lines.length;
        pipeline.process(b);
      },
      metrics,
      log,
    });
    lines.push({ file, lines: n });
  }
  progress?.end();
  pipeline.finish();
  if (mode.learn) {
    const fit = Progress.onTerminal('fit', -1);
    fit?.set(0, -1);
    pipeline.fitModels();
    fit?.end();
  }
  pipeline.flushState();
  return { total: lines.reduce((a, b) => a + b.lines, 0), templates: pipeline.status().reduce((a, s) => a + s.templates, 0), lines };
}
