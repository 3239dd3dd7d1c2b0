/**
 * The one config schema. Every key has a default, so an empty file (or none) is a valid config.
 * Descriptions double as the comments of `logradar config --print-defaults`.
 */
import { z } from 'zod';
import { SHIPPED_MASKS } from '../parsers/drain/masks.js';
import { parseByteSize, parseDuration } from '../util/units.js';
import { cronPatternError } from '../util/cron.js';

/** A duration given as `500ms`, `30s`, `15m`, `24h`, `7d` or a number of milliseconds. */
const duration = (def: string) =>
  z
    .union([z.number().nonnegative(), z.string()])
    .default(def)
    .transform((v, ctx) => {
      if (typeof v === 'number') return v;
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `not a duration: "${v}" (use e.g. 500ms, 30s, 15m, 24h, 7d)` });
        return z.NEVER;
      }
      return ms;
    });

/** A size given as `512KiB`, `1MiB`, `1GiB` or a number of bytes. */
const byteSize = (def: string) =>
  z
    .union([z.number().int().nonnegative(), z.string()])
    .default(def)
    .transform((v, ctx) => {
      if (typeof v === 'number') return v;
      const n = parseByteSize(v);
      if (n === undefined) {
        ctx.addIssue({ code: 'custom', message: `not a size: "${v}" (use e.g. 64KiB, 1MiB, 1GiB)` });
        return z.NEVER;
      }
      return n;
    });

/**
 * A user regex: must compile, and must not nest quantifiers (`(a+)+`, `(a*)*`, `(a|a)+`), the shapes that
 * backtrack exponentially on log lines (catastrophic backtracking would stall ingest: no time budget in JS).
 */
const safeRegex = z.string().superRefine((src, ctx) => {
  try {
    new RegExp(src);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a valid regex: ${(e as Error).message}` });
    return;
  }
  if (NESTED_QUANTIFIER.test(src)) ctx.addIssue({ code: 'custom', message: 'nested quantifiers such as (a+)+ can take exponential time on a line; rewrite without a quantified group that holds + or *' });
});

// a group whose body contains an unescaped + or *, itself followed by + * or {
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]/;

/** A mask: `{name, regex, replacement}`, or the name of a shipped mask (`email`, `url`, `path`). */
const maskSchema = z.preprocess(
  (v, ctx) => {
    if (typeof v !== 'string') return v;
    const shipped = Object.hasOwn(SHIPPED_MASKS, v) ? SHIPPED_MASKS[v] : undefined;
    if (!shipped) ctx.addIssue({ code: 'custom', message: `no shipped mask "${v}" (one of: ${Object.keys(SHIPPED_MASKS).join(', ')}; or give {name, regex})` });
    return { name: v, ...shipped };
  },
  z
    .object({
      name: z.string().min(1).describe('Shown in docs and errors only.'),
      regex: safeRegex.describe('JavaScript regex; every match is replaced.'),
      replacement: z.string().default('<*>').describe('Literal text put in place of each match; <*> makes it a variable.'),
    })
    .strict(),
);

/** Formats `parse --format` and `parse.format` accept. */
export const FORMATS = ['auto', 'plain', 'json', 'kv', 'regex', 'syslog', 'nginx', 'apache', 'waf', 'cloudtrail', 'cloudwatch'] as const;

const section = <T extends z.ZodRawShape>(shape: T, description: string) => z.object(shape).strict().prefault({} as never).describe(description);

export const DEFAULT_EXCLUDES = ['**/*.gz', '**/*.zip', '**/*.bz2', '**/*.xz', '**/*.zst', '**/*.7z', '**/*.tgz', '**/*.tar', '**/*.lz4'];

const filesSchema = section(
  {
    include: z.array(z.string().min(1)).default(['**/*']).describe('Globs (relative to each watched directory) of files to read.'),
    exclude: z.array(z.string().min(1)).default(DEFAULT_EXCLUDES).describe('Globs of files never read (compressed archives by default).'),
    from: z.enum(['beginning', 'end']).default('beginning').describe('Where a file seen for the first time is read from; afterwards the checkpoint decides.'),
    pollInterval: duration('1s').describe('How often file attributes are polled for new data, rotation and new files.'),
    readChunkBytes: byteSize('1MiB').describe('Most bytes read from one file before committing and moving on.'),
    maxLineBytes: byteSize('1MiB').describe('Longer lines are truncated to this many bytes and counted (dropped.truncated).'),
    partialLineTimeout: duration('5s').describe('A last line without a newline is held this long, then emitted as it is.'),
    closeInactive: duration('1m').describe('A file with no new data for this long has its descriptor closed.'),
    maxOpenFiles: z.number().int().min(1).default(512).describe('Most descriptors held open at once; the least recently active are closed first.'),
    fingerprintBytes: z.number().int().min(16).max(65536).default(1024).describe('Bytes at the start of a file hashed to recognise it after rotation or inode reuse.'),
    dedupConsecutive: z.boolean().default(false).describe('Drop a line identical to the one before it in the same chunk (counted as dropped.duplicate).'),
    sourceName: z
      .enum(['family', 'path', 'root'])
      .default('family')
      .describe('How files map to sources (one model each): family = path with digit runs as *, so rotated and dated files share one; path = each file; root = each watched argument.'),
  },
  'Files and directories given to `watch`.',
);

const monitoredFieldSchema = z
  .object({
    field: z.string().min(1).describe('Field path, dots for nesting (httpRequest.country).'),
    known: z.array(z.union([z.string(), z.number()])).min(1).describe('The values that are normal; anything else counts as unknown.'),
    label: z.string().optional().describe('Name shown in reasons and charts (default: the field path).'),
  })
  .strict();

const parseSchema = section(
  {
    format: z
      .enum(FORMATS)
      .default('auto')
      .describe(
        'auto: detected per line (JSON, AWS WAF/CloudTrail/CloudWatch records, syslog with <PRI>, nginx/Apache access and error logs, Postfix, key=value, timestamps and headers); plain: every line is exactly one message; the others force one decoder (a line it cannot read is kept as text and counted); regex: parse.regex.',
      ),
    regex: safeRegex
      .optional()
      .describe('With format regex: a JavaScript regex with named groups; `message` is mined, `ts`/`time`/`timestamp` is the time, other groups become fields.'),
    messageFields: z.array(z.string()).default(['message', 'msg', 'log', 'MESSAGE']).describe('JSON fields holding the free-text message; records without one are mined by their field names.'),
    timestampFields: z.array(z.string()).default(['timestamp', '@timestamp', 'time', 'ts', 'eventTime']).describe('JSON/key=value fields holding the event time.'),
    masks: z
      .array(maskSchema)
      .default([])
      .describe(
        `Regex masks applied in order to each message before template mining, on top of the built-in masking of numbers, addresses, ids and hex. An entry is {name, regex, replacement (default <*>)} or the name of a shipped mask: ${Object.keys(SHIPPED_MASKS).join(', ')}.`,
      ),
    multiline: section(
      {
        enabled: z.boolean().default(true).describe('Join continuation lines to the record they continue. Never with format plain (one line, one message).'),
        start: safeRegex
          .optional()
          .describe('A line matching this regex starts a record, every other line continues one. Unset: built-in rules (indented lines, at …, Caused by:, … N more, Python tracebacks, Java exception lines, pretty-printed JSON).'),
        maxLines: z.number().int().min(2).default(500).describe('A record reaching this many lines is emitted as it is (pretty-printed JSON documents are bounded by maxBytes only).'),
        maxBytes: byteSize('1MiB').describe('A record reaching this size is emitted as it is.'),
        flushTimeout: duration('300ms').describe(
          'A record is complete once its file has been quiet this long (writers put an event in one write or a quick burst); the last line of a burst waits this long.',
        ),
      },
      'Multi-line records (stack traces, tracebacks, pretty-printed JSON) grouped as they are read; a held record is re-read after a restart.',
    ),
    miner: section(
      {
        similarity: z.number().min(0).max(1).default(0.75).describe('Share of equal tokens (after masking) for a message to join a template; one differing token is always allowed.'),
        depth: z.number().int().min(1).max(8).default(2).describe('Leading tokens used as tree levels before comparing templates.'),
        maxTemplatesPerSource: z.number().int().min(10).default(5000).describe('Least recently seen templates are evicted beyond this (counted).'),
      },
      'The online template miner.',
    ),
  },
  'Decoding and template mining.',
);

const detectSchema = section(
  {
    interval: duration('1m').describe('Window length for per-interval counts (log time).'),
    threshold: z.number().min(0).max(1).default(0.7).describe('Grade at or above which a finding is stored and reported as an anomaly.'),
    warmupIntervals: z.number().int().min(0).default(5).describe('Closed windows a source needs before window detectors report.'),
    warmupRecords: z.number().int().min(0).default(1000).describe('Records a source needs before record detectors (new template) report.'),
    newTemplate: section(
      {
        enabled: z.boolean().default(true),
        grade: z.number().min(0).max(1).default(0.75).describe('Grade of a template never seen before, after warm-up.'),
      },
      'Flags a message whose template was never seen in its source.',
    ),
    rareTemplate: section(
      {
        enabled: z.boolean().default(true),
        maxShare: z.number().min(0).max(1).default(0.0005).describe('A template below this share of all records of its source is rare.'),
      },
      'Grades records by how rare their template is.',
    ),
    severity: section(
      {
        enabled: z.boolean().default(true),
        fatalGrade: z.number().min(0).max(1).default(0.8).describe('Grade of a FATAL/CRITICAL/EMERG/ALERT/PANIC line.'),
        errorGrade: z.number().min(0).max(1).default(0.5).describe('Grade of an ERROR/SEVERE line (below the default threshold: reported only with other evidence).'),
        routineShare: z.number().min(0).max(1).default(0.05).describe('A template above this share of its source\'s records is routine: its severity grade fades.'),
      },
      'Grades records by the level the program gave them.',
    ),
    paramNovelty: section(
      {
        enabled: z.boolean().default(true),
        warmup: z.number().int().min(1).default(100).describe('Records of a template before its parameters are judged.'),
        maxDistinct: z.number().int().min(1).default(50).describe('A parameter position with more distinct values is free-form (ids, sizes) and never judged.'),
        fullSurprise: z.number().positive().default(5).describe('-log10 of the chance of a new value at which the grade (before distance weighting) reaches 1.'),
      },
      'Record scope: a new value at a parameter position that rarely sees new ones, weighted by edit distance to the nearest known value.',
    ),
    fields: z.array(monitoredFieldSchema).default([]).describe('Categorical fields to monitor: per interval, the share of records with an unknown value is watched for spikes.'),
    autoFields: section(
      {
        enabled: z.boolean().default(true).describe('Used only when detect.fields is empty: each source finds its categorical fields by itself.'),
        records: z.number().int().min(10).default(2000).describe('Records profiled before a source chooses its fields.'),
        maxValues: z.number().int().min(2).default(20).describe('A field with more distinct values is not categorical.'),
        knownShare: z.number().min(0).max(1).default(0.01).describe('Values with at least this share of the profiled records are known; rarer ones count as unknown.'),
        presentShare: z.number().min(0).max(1).default(0.9).describe('A field must be present in at least this share of the records.'),
      },
      'Automatic categorical fields (known/unknown indicators) per source.',
    ),
    fieldRate: section(
      {
        minCount: z.number().int().min(1).default(5).describe('Fewest unknown values in one interval that can be an anomaly.'),
        priorRate: z.number().min(0).max(1).default(0.01).describe('Unknown-value rate assumed before any history (weight: priorRecords).'),
        priorRecords: z.number().min(0).default(200),
        surpriseScale: z.number().positive().default(10).describe('-log10 tail probability at which the grade is 0.5.'),
      },
      'Spike detector on the per-interval share of unknown values of each monitored field.',
    ),
    sessionSignature: section(
      {
        enabled: z.boolean().default(true),
        maxShare: z.number().min(0).max(1).default(0.02).describe('A (template, count) value seen in fewer than this share of sessions makes its session anomalous.'),
        commonShare: z.number().min(0).max(1).default(0.5).describe('Templates in at least this share of sessions are expected: their absence counts as a value.'),
        warmup: z.number().int().min(0).default(50).describe('Sessions learned before this detector reports.'),
      },
      'Session scope: rarity of how often each template occurs in a session (order ignored).',
    ),
    master: section(
      {
        enabled: z.boolean().default(true),
        minSources: z.number().int().min(2).default(2).describe('Sources abnormal in the same interval that make one cross-source incident.'),
      },
      'The master model across sources: one incident when several sources go abnormal together.',
    ),
    seed: z.number().int().default(1).describe('Seed of every stochastic model: the same input and seed give the same output.'),
    models: section(
      {
        sequence: section(
          {
            enabled: z.boolean().default(false).describe('Off by default: many programs write a session from several threads, so the order of its lines is noise (count-based session detectors are order-proof). Turn on for sources that log one session from one thread.'),
            order: z.number().int().min(1).max(8).default(2).describe('Events of history predicting the next one (shorter histories back off).'),
            topK: z.number().int().min(1).default(9).describe('An event outside the k likeliest continuations of its history is a miss (DeepLog\'s g).'),
          },
          'Session scope: next-event model over template sequences (DeepLog-style n-gram).',
        ),
        sessionForest: section(
          {
            enabled: z.boolean().default(true),
            trees: z.number().int().min(1).default(100),
            window: z.number().int().min(16).default(4096).describe('Sessions kept for (re)fitting.'),
          },
          'Session scope: Isolation Forest on per-session template counts.',
        ),
        windowForest: section(
          {
            enabled: z.boolean().default(true),
            trees: z.number().int().min(1).default(30).describe('Trees (OpenSearch anomaly detection uses 30; each costs time on every interval).'),
            shingleSize: z.number().int().min(1).default(4).describe('Consecutive intervals forming one point.'),
          },
          'Window scope: Random Cut Forest on per-interval volume and unknown-value shares of monitored fields.',
        ),
        windowAutoencoder: section(
          {
            enabled: z.boolean().default(true),
            epochs: z.number().int().min(1).default(30).describe('Passes over the training window per fit (fits block the event loop for about a second).'),
          },
          'Window scope: a small dense variational autoencoder on the same interval vectors, scored by reconstruction error.',
        ),
        windowBoundary: section(
          {
            enabled: z.boolean().default(false),
            nu: z.number().min(0.001).max(0.5).default(0.05).describe('Upper bound on the share of training intervals outside the boundary.'),
          },
          'Window scope: one-class boundary (random Fourier features, ν-SVM by SGD) on the interval vectors; off by default.',
        ),
        recordForest: section(
          {
            enabled: z.boolean().default(true),
            trees: z.number().int().min(1).default(100),
            window: z.number().int().min(16).default(4096).describe('Records kept for (re)fitting.'),
            refitEvery: z.number().int().min(0).default(50_000).describe('Records between refits while watching (batch training fits once at the end).'),
            alarmRate: z.number().min(0).max(0.5).default(0).describe('Share of past record scores allowed at or above the threshold; 0: a record alarms on its own only when it is rarer than everything calibration has seen (1 % of normal WAF records carry a rare value: that must not alarm).'),
          },
          'Record scope: Isolation Forest on level, template rarity and monitored-field indicators.',
        ),
      },
      'Learned models; their raw scores are graded through detect.calibration.',
    ),
    calibration: section(
      {
        alarmRate: z.number().min(0).max(0.5).default(0.001).describe('Share of a detector\'s own past scores allowed at or above the threshold: its expected false-alarm rate on normal data.'),
        warmup: z.number().int().min(1).default(100).describe('Scores a detector must have produced before it grades.'),
      },
      'Raw score → grade 0..1 by streaming quantiles of each detector\'s own history (models without a natural scale).',
    ),
  },
  'Detectors and grading.',
);

const sessionSchema = section(
  {
    key: safeRegex.optional().describe('Regex whose first match in a line is its session key (e.g. blk_-?\\d+ for HDFS blocks); lines sharing it form a session.'),
    field: z.string().min(1).optional().describe('Field holding the session key (e.g. queueId for Postfix), used when `key` is not set.'),
    end: safeRegex.optional().describe('Regex marking the last line of a session (optional).'),
    idleTimeout: duration('10m').describe('A session ends after this much log time without a line.'),
    maxEvents: z.number().int().min(1).default(1000).describe('Events kept per session (longer sessions are counted, not stored).'),
    maxOpen: z.number().int().min(1).default(100_000).describe('Open sessions per source; the least recently active one is ended early beyond this (counted).'),
  },
  'Sessions: records sharing a key, scored as a whole when they end.',
);

const storeSchema = section(
  {
    retention: section(
      {
        maxAge: duration('7d').describe('Events older than this (by ingestion time) are deleted.'),
        maxBytes: byteSize('1GiB').describe('Oldest events are deleted while raw text exceeds this.'),
        checkEvery: duration('1m').describe('How often retention runs.'),
      },
      'Retention of raw events.',
    ),
  },
  'The embedded SQLite store.',
);

const retrainSchema = section(
  {
    enabled: z.boolean().default(true).describe('Refit the learned models of every source on schedule while watch/serve runs.'),
    schedule: z
      .string()
      .default('0 3 * * 0')
      .refine((v) => cronPatternError(v) === undefined, { error: (i) => cronPatternError(String(i.input)) })
      .describe('When (cron syntax, local time of the process; default Sundays at 03:00). A run missed while stopped is not made up.'),
    window: duration('7d').describe('Training range: the stored events of this long back from the run (event time); confirmed anomalies left out, false positives kept as normal.'),
    keepVersions: z.number().int().min(2).default(10).describe('Model versions kept per source (the oldest inactive ones are deleted beyond this).'),
  },
  'Retraining: scheduled refits of the batch-fitted models from the stored recent data, each kept as a model version (`logradar models list|rollback`).',
);

const serverSchema = section(
  {
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+|[0-9a-fA-F:]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:7420 or [::1]:7420')
      .default('127.0.0.1:7420')
      .describe('Address of the HTTP API and dashboard (serve, watch --ui, demo). Any address but loopback needs auth.token.'),
    bodyLimit: byteSize('1MiB').describe('Largest request body, after gzip/deflate decoding (413 beyond).'),
    requestTimeout: duration('30s').describe('Most time a client may take to send a whole request (408 beyond).'),
    rateLimit: section(
      {
        max: z.number().int().min(1).default(1200).describe('Requests allowed per token (or per client address without one) in each window (429 beyond).'),
        window: duration('1m').describe('The rate limit window.'),
      },
      'Rate limit per token.',
    ),
  },
  'The HTTP server: API, live stream, HTTP ingest and dashboard.',
);

const authSchema = section(
  {
    token: z.string().min(1).optional().describe('Grants everything (read, feedback, ingest); the LOGRADAR_TOKEN environment variable sets it too. Once any token is set, every route but /healthz and the sign-in page needs one.'),
    readTokens: z.array(z.string().min(1)).default([]).describe('Tokens that may only read (GET routes and the live stream).'),
    ingestTokens: z.array(z.string().min(1)).default([]).describe('Tokens that may only ingest (POST /api/ingest).'),
  },
  'Bearer tokens of the HTTP API (Authorization: Bearer <token>).',
);

export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./.logradar').describe('Where the SQLite store and model state live.'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Service log level (pino, to stderr).'),
    files: filesSchema,
    parse: parseSchema,
    detect: detectSchema,
    session: sessionSchema,
    store: storeSchema,
    retrain: retrainSchema,
    server: serverSchema,
    auth: authSchema,
  })
  .strict();

/** Config as written in YAML (durations and sizes may be strings). */
export type ConfigInput = z.input<typeof configSchema>;
/** Config after validation: every key present, durations in ms, sizes in bytes. */
export type Config = z.output<typeof configSchema>;
export type MonitoredField = z.output<typeof monitoredFieldSchema>;
