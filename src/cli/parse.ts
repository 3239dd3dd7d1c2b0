/**
 * `logradar parse`: template mining only. With `--json`, one object per record, in order: with
 * `--format plain` a record is exactly one input line, even an empty or repeated one (the contract
 * ../shared/tools/score-parse.py relies on); other formats group multi-line records (stack traces,
 * pretty-printed JSON) and split JSON exports into their records, each object carrying the number of
 * its first line. Without `--json`, a table of templates with counts.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { effectiveMasks, FORMATS } from '../config/schema.js';
import type { ParsedRecord, RawLine } from '../model/record.js';
import { Decoder } from '../parsers/decode/decoder.js';
import { UserMasks } from '../parsers/drain/masks.js';
import { TemplateMiner } from '../parsers/drain/miner.js';
import { LineGrouper, multilineOptions } from '../sources/multiline.js';
import { IDLE, withIdle } from '../util/idle.js';
import { action, checkInputFile, configFromFlags, type CommonFlags } from './common.js';
import { Progress } from './progress.js';
import { safeText } from './format.js';
import { writeOut } from './output.js';

interface ParseFlags extends CommonFlags {
  format?: (typeof FORMATS)[number];
  regex?: string;
  json?: boolean;
}

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('mine templates from a file or stdin: NDJSON per record with --json, else a table of templates')
    .argument('<file>', 'a file, or - for stdin')
    .option('--format <format>', `plain (every line is a message) | ${FORMATS.filter((f) => f !== 'plain').join(' | ')}`, 'plain')
    .option('--regex <regex>', 'with --format regex: named groups become fields, `message` is mined')
    .option('--json', 'one JSON object per record: {line, templateId, template, params}')
    .option('--config <file>', 'YAML config file (parse.* keys)')
    .action(
      action(async (file: string, flags: ParseFlags) => {
        if (file !== '-') checkInputFile(file);
        const config = configFromFlags(flags, { parse: { format: flags.format, regex: flags.regex } });
        let next = 0;
        const m = config.parse.miner;
        const maskRules = effectiveMasks(config.parse);
        const masks = maskRules.length > 0 ? new UserMasks(maskRules) : undefined;
        const miner = new TemplateMiner({ similarity: m.similarity, depth: m.depth, maxTemplates: m.maxTemplatesPerSource, masks }, { next: () => ++next });
        const decoder = new Decoder(config.parse);
        const ml = multilineOptions(config.parse);
        const grouper = ml ? new LineGrouper(ml) : undefined;
        const input = file === '-' ? process.stdin : createReadStream(file);
        // a bar for a file on a terminal (a pipe's size is unknown: none)
        const progress = file === '-' ? undefined : Progress.onTerminal('mine', statSync(file).size, !!flags.json);
        let lineNo = 0;
        let rest = '';
        // Output is written once per input chunk: a write per line would cost more than the mining.
        let out: string[] = [];
        const records: ParsedRecord[] = [];
        const grouped: RawLine[] = [];
        const mine = (line: RawLine) => {
          decoder.decodeMany(line, file, 0, records);
          for (const rec of records) {
            const r = miner.add(rec.message, rec.line, !!flags.json);
            if (flags.json) out.push(JSON.stringify({ line: rec.line, templateId: r.templateId, template: r.template, params: r.params }));
          }
          records.length = 0;
        };
        const handle = (text: string) => {
          lineNo++;
          const line: RawLine = { text, offset: 0, line: lineNo, truncated: false };
          if (!grouper) return mine(line);
          grouper.push(line, grouped);
          drainGrouped();
        };
        const drainGrouped = () => {
          for (const g of grouped) mine(g);
          grouped.length = 0;
        };
        const flush = async () => {
          if (out.length === 0) return;
          const text = out.join('\n') + '\n';
          out = [];
          await writeOut(text);
        };
        input.setEncoding('utf8');
        // from a live pipe, a held multi-line record goes out once the input is quiet for the flush timeout
        for await (const chunk of withIdle(input as AsyncIterable<string>, ml?.flushTimeout ?? 0, () => grouper?.holding === true)) {
          if (chunk === IDLE) grouper!.flush(grouped);
          else {
            progress?.add(Buffer.byteLength(chunk));
            const parts = (rest + chunk).split('\n');
            rest = parts.pop()!;
            for (const p of parts) handle(p.endsWith('\r') ? p.slice(0, -1) : p);
          }
          drainGrouped();
          await flush();
        }
        if (rest.length > 0) handle(rest);
        grouper?.flush(grouped);
        drainGrouped();
        await flush();
        progress?.end();
        if (!flags.json) {
          const rows = miner.templates().sort((a, b) => b.count - a.count);
          process.stdout.write(`${rows.length} templates from ${lineNo} lines\n`);
          for (const t of rows) process.stdout.write(`${String(t.count).padStart(8)}  #${t.id}  ${safeText(t.tokens.join(' '))}\n`);
        }
      }),
    );
}
