/**
 * `logradar parse`: template mining only. With `--json`, one object per input line, in order
 * (`--format plain`: every line is exactly one message, even empty or repeated ones — the contract
 * ../shared/tools/score-parse.py relies on). Without it, a table of templates with counts.
 */
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { TemplateMiner } from '../parsers/drain/miner.js';
import { Decoder } from '../parsers/decode/decoder.js';
import { action, configFromFlags, type CommonFlags } from './common.js';
import { safeText } from './format.js';

interface ParseFlags extends CommonFlags {
  format?: 'plain' | 'auto' | 'json' | 'kv' | 'regex';
  regex?: string;
  json?: boolean;
}

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('mine templates from a file or stdin: NDJSON per line with --json, else a table of templates')
    .argument('<file>', 'a file, or - for stdin')
    .option('--format <format>', 'plain (every line is a message) | auto | json | kv | regex', 'plain')
    .option('--regex <regex>', 'with --format regex: named groups become fields, `message` is mined')
    .option('--json', 'one JSON object per input line: {line, templateId, template, params}')
    .option('--config <file>', 'YAML config file (parse.* keys)')
    .action(
      action(async (file: string, flags: ParseFlags) => {
        const config = configFromFlags(flags, { parse: { format: flags.format, regex: flags.regex } });
        let next = 0;
        const m = config.parse.miner;
        const miner = new TemplateMiner({ similarity: m.similarity, depth: m.depth, maxTemplates: m.maxTemplatesPerSource }, { next: () => ++next });
        const decoder = new Decoder(config.parse);
        const input = file === '-' ? process.stdin : createReadStream(file);
        let lineNo = 0;
        let rest = '';
        // Output is written once per input chunk: a write per line would cost more than the mining.
        let out: string[] = [];
        const handle = (text: string) => {
          lineNo++;
          const rec = decoder.decode({ text, offset: 0, line: lineNo, truncated: false }, file, 0);
          const r = miner.add(rec.message, lineNo, !!flags.json);
          if (flags.json) out.push(JSON.stringify({ line: lineNo, templateId: r.templateId, template: r.template, params: r.params }));
        };
        const flush = async () => {
          if (out.length === 0) return;
          const text = out.join('\n') + '\n';
          out = [];
          if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
        };
        input.setEncoding('utf8');
        for await (const chunk of input as AsyncIterable<string>) {
          const parts = (rest + chunk).split('\n');
          rest = parts.pop()!;
          for (const p of parts) handle(p.endsWith('\r') ? p.slice(0, -1) : p);
          await flush();
        }
        if (rest.length > 0) handle(rest);
        await flush();
        if (!flags.json) {
          const rows = miner.templates().sort((a, b) => b.count - a.count);
          process.stdout.write(`${rows.length} templates from ${lineNo} lines\n`);
          for (const t of rows) process.stdout.write(`${String(t.count).padStart(8)}  #${t.id}  ${safeText(t.tokens.join(' '))}\n`);
        }
      }),
    );
}
