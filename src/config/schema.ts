/**
 * The one config schema. Every key has a default, so an empty file (or none) is a valid config.
 * Descriptions double as the comments of `logradar config --print-defaults`.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { DEFAULT_MASKS, isShippedMask, SHIPPED_MASKS, type MaskRule } from '../model/masks.js';
import { parseByteSize, parseDuration } from '../util/units.js';
import { cronPatternError } from '../util/cron.js';
import { userRegexProblem } from '../util/user-regex.js';

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

/** A size where 0 would drop or refuse everything (every line, every body): at least one byte. */
const positiveByteSize = (def: string) => byteSize(def).refine((n) => n >= 1, 'must be at least 1 byte (0 would drop everything)');

/**
 * A user regex: must compile, and must run in linear time on a line (see util/user-regex.ts); `flags` are
 * those it is run with; `trusted` ones (the shipped masks, reviewed as written) are not checked.
 */
const safeRegex = (flags = '', trusted?: (src: string) => boolean) =>
  z.string().superRefine((src, ctx) => {
    if (trusted?.(src)) return;
    const problem = userRegexProblem(src, flags);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

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
      regex: safeRegex('g', isShippedMask).describe('JavaScript regex; every match is replaced.'),
      replacement: z.string().default('<*>').describe('Literal text put in place of each match; <*> makes it a variable.'),
      requires: z.string().min(1).optional().describe('A text every match contains (e.g. "@"): messages without it skip the regex, which saves time.'),
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
    readChunkBytes: positiveByteSize('1MiB').describe('Most bytes read from one file before committing and moving on.'),
    maxLineBytes: positiveByteSize('1MiB').describe('Longer lines are truncated to this many bytes and counted (dropped.truncated).'),
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
    expectedUnknown: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('The share of unknown values that is normal before any history (default detect.fieldRate.priorRate; automatic fields estimate it from their profile).'),
    whenPresent: z.boolean().optional().describe('Only records that carry the field count (the share is of those); false: a missing field is the unknown value `(missing)`.'),
    buckets: z
      .array(z.number())
      .min(1)
      .optional()
      .describe('For a numeric field: ascending bounds that turn the number into a category (`<60`, `60-600`, `>=600` for [60, 600]); `known` then lists categories.'),
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
    regex: safeRegex()
      .optional()
      .describe('With format regex: a JavaScript regex with named groups; `message` is mined, `ts`/`time`/`timestamp` is the time, other groups become fields.'),
    messageFields: z.array(z.string()).default(['message', 'msg', 'log', 'MESSAGE']).describe('JSON fields holding the free-text message; records without one are mined by their field names.'),
    timestampFields: z.array(z.string()).default(['timestamp', '@timestamp', 'time', 'ts', 'eventTime']).describe('JSON/key=value fields holding the event time.'),
    defaultMasks: z
      .array(z.enum(Object.keys(SHIPPED_MASKS) as [string, ...string[]]))
      .default([...DEFAULT_MASKS])
      .describe(
        `Shipped masks applied before parse.masks: values that are never words, so a template does not split per value (one template per recipient address, say). [] turns them off. One of: ${Object.keys(SHIPPED_MASKS).join(', ')}.`,
      ),
    masks: z
      .array(maskSchema)
      .default([])
      .describe(
        `Regex masks applied in order to each message before template mining, on top of the built-in masking of numbers, addresses, ids and hex. An entry is {name, regex, replacement (default <*>)} or the name of a shipped mask: ${Object.keys(SHIPPED_MASKS).join(', ')}.`,
      ),
    multiline: section(
      {
        enabled: z.boolean().default(true).describe('Join continuation lines to the record they continue. Never with format plain (one line, one message).'),
        start: safeRegex()
          .optional()
          .describe('A line matching this regex starts a record, every other line continues one. Unset: built-in rules (indented lines, at …, Caused by:, … N more, Python tracebacks, Java exception lines, pretty-printed JSON).'),
        maxLines: z.number().int().min(2).default(500).describe('A record reaching this many lines is emitted as it is (pretty-printed JSON documents are bounded by maxBytes only).'),
        maxBytes: positiveByteSize('1MiB').describe('A record reaching this size is emitted as it is.'),
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
        recurring: z.number().int().min(0).default(3).describe('A template seen in this many distinct windows (detect.interval) of log time recurs and is never rare (0: off); a burst inside one or two windows still is.'),
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
        records: z.number().int().min(10).default(50).describe('Records profiled before a source chooses its fields provisionally; the choice is made again at each doubling until span is covered.'),
        span: duration('1h').describe('Log time profiled at least (with records): a value is known only when spread over it.'),
        slices: z.number().int().min(1).default(12).describe('Time slices of the profiled span: a known value has knownShare of the records in at least half of them (a burst in one slice is not known).'),
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
        scales: z.array(z.number().int().min(1)).min(1).default([1, 5, 15]).describe('Window lengths judged, as multiples of detect.interval: each field is tested from the smallest scale whose expected records give the test power (a window half unknown would pass the threshold), Bonferroni-corrected over the scales, and reported at the smallest scale that finds it.'),
      },
      'Spike detector on the per-interval share of unknown values of each monitored field.',
    ),
    sessionSignature: section(
      {
        enabled: z.boolean().default(true),
        maxShare: z.number().min(0).max(1).default(0.02).describe('A (template, count) value seen in fewer than this share of sessions makes its session anomalous.'),
        commonShare: z.number().min(0).max(1).default(0.5).describe('Templates in at least this share of sessions are expected: their absence counts as a value.'),
        warmup: z.number().int().min(0).default(50).describe('Sessions learned before this detector reports.'),
        alarmOn: z
          .enum(['any', 'templates', 'unseen'])
          .default('templates')
          .describe('Rare values that alarm on their own: any; templates (a rare or unseen template, or a common one missing; a rare count of a template that is not rare stays below the threshold: count-invariants judges counts); unseen (only an unseen template or a missing common one).'),
      },
      'Session scope: rarity of how often each template occurs in a session (order ignored).',
    ),
    countInvariants: section(
      {
        enabled: z.boolean().default(true),
        support: z.number().min(0.5).max(0.9999).default(0.98).describe('A count relation is kept when it holds in at least this share of the training sessions having one of its templates (smoothed; the rest may be anomalous sessions of the training data).'),
        maxRelationSize: z.number().int().min(2).max(3).default(3).describe('Templates in a relation: 2 (a·c(A) = b·c(B)) or 3 (also a·c(A) = b·c(B) + c·c(C)).'),
        maxCoefficient: z.number().int().min(1).max(6).default(3).describe('Largest integer coefficient of a relation.'),
        maxTemplates: z.number().int().min(2).max(200).default(40).describe('Relations are mined among this many of the commonest templates.'),
        maxInvariants: z.number().int().min(1).default(200).describe('Relations kept (the strongest).'),
        warmup: z.number().int().min(0).default(200).describe('Sessions learned before relations are mined and the detector reports.'),
        refitEvery: z.number().int().min(1).default(2000).describe('While learning online, relations are mined again after this many sessions.'),
        maxSessions: z.number().int().min(10).default(50_000).describe('Training sessions kept (by weight); beyond it every weight is halved (old sessions fade).'),
      },
      'Session scope: integer relations among template counts that hold in nearly all training sessions (Invariants Mining); a session breaking one is anomalous.',
    ),
    postfix: section(
      {
        enabled: z.boolean().default(true),
        interval: duration('1h').describe('Window length of a Postfix source (a minute of mail is too few messages to judge).'),
      },
      'A source whose first record is a Postfix line (syslog program postfix/*) gets hourly windows and, unless detect.fields is set, its line kinds (`event`: rejects, SASL failures, warnings…) as the monitored field.',
    ),
    incidents: section(
      {
        gapIntervals: z.number().min(0).default(1).describe("An anomaly joins its source's open incident when it starts at most this many of the source's window lengths after the incident's end."),
      },
      'Incidents: consecutive anomalies of one source (and the cross-source alarms over them) grouped into one.',
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
        warmup: z.number().int().min(1).default(100).describe('Scores a detector must have produced before it grades (short histories alarm only when their fitted tail says p ≤ alarmRate).'),
      },
      'Raw score → grade 0..1 by the score\'s conformal p-value in each detector\'s own score history, a fitted tail beyond it (models without a natural scale).',
    ),
  },
  'Detectors and grading.',
);

const sessionSchema = section(
  {
    key: safeRegex().optional().describe('Regex whose first match in a line is its session key (e.g. blk_-?\\d+ for HDFS blocks); lines sharing it form a session.'),
    field: z.string().min(1).optional().describe('Field holding the session key (e.g. queueId for Postfix), used when `key` is not set.'),
    end: safeRegex().optional().describe('Regex marking the last line of a session (optional).'),
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
    bodyLimit: positiveByteSize('1MiB').describe('Largest request body, after gzip/deflate decoding (413 beyond).'),
    requestTimeout: duration('30s').describe('Most time a client may take to send a whole request, headers or body (408 beyond).'),
    allowedHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('Host names the server answers to besides its listen address, localhost and IP literals (a reverse proxy\'s public name); any other Host header gets 421, which stops DNS rebinding.'),
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

/** `HH:MM`, 00:00–23:59. */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (00:00–23:59)');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. UTC, Europe/Paris, America/New_York)');

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });

const rateLimitSchema = section(
  {
    max: z.number().int().min(0).default(30).describe('Messages sent at most in any window; 0: no limit. Beyond: dropped and counted (dropped.rate_limited), except the resolve notice of an incident whose alert this channel sent (never dropped, not counted).'),
    window: duration('1h').describe('The sliding window of the rate limit.'),
  },
  'Per-channel rate limit.',
);

export const ALERT_CHANNELS = ['slack', 'webhook', 'email', 'stdout'] as const;

const alertRuleSchema = z
  .object({
    name: z.string().min(1).describe('Shown in messages and metrics; unique.'),
    minGrade: z.number().min(0).max(1).default(0).describe('Anomalies graded below this do not alert (every reported anomaly already passed detect.threshold).'),
    sources: z.array(z.string().min(1)).default([]).describe('Globs of source names (picomatch); empty: every source.'),
    detectors: z.array(z.string().min(1)).default([]).describe('Detector names (new-template, severity, field-rate, …); empty: any.'),
    kinds: z.array(z.enum(['record', 'window', 'session'])).default([]).describe('Anomaly scopes; empty: any.'),
    templates: z.array(z.number().int().nonnegative()).default([]).describe('Template ids (as shown on the dashboard); empty: any.'),
    fields: z
      .record(z.string().min(1), z.array(z.union([z.string(), z.number()])))
      .default({})
      .describe('Field → values: the anomaly must name that field among its contributions with one of these values (an empty list: any value).'),
    channels: z.array(z.enum(ALERT_CHANNELS)).default([]).describe('Channels this rule sends to; empty: every configured channel.'),
    groupBy: z
      .enum(['incident', 'source', 'signature'])
      .default('incident')
      .describe("incident: one alert per stored incident (the pipeline's grouping, as `logradar incidents` lists it); source or signature: anomalies of the same source (or signature) while an alert is open join it."),
    groupWindow: duration('5m').describe('An incident ends after this long without a matching anomaly (wall time); then its resolve notice is sent.'),
    cooldown: duration('30m').describe('Least time between two incident alerts of the same rule and group: an incident opening sooner is tracked silently (no alert, no resolve; counted as dropped.cooldown).'),
    alertOnce: z.boolean().default(true).describe('One message when an incident opens and one when it ends; false: also an update when a new signature joins it (each signature once).'),
    notifyResolve: z.boolean().default(true).describe('Send a resolve notice when an incident ends.'),
  })
  .strict();

const alertsSchema = section(
  {
    rules: z
      .array(alertRuleSchema)
      .default([])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate rule name "${r.name}"` });
          seen.add(r.name);
        });
      })
      .describe('Alert rules; none: alerting is off. An anomaly may match several rules, each with its own incidents.'),
    dashboardUrl: httpUrl.optional().describe('Base URL of the dashboard for links in messages (default: http://<server.listen>).'),
    retry: section(
      {
        attempts: z.number().int().min(1).max(10).default(4).describe('Tries per message, the first included; after the last a failure is counted (errors.send).'),
        initialDelay: duration('1s').describe('Delay before the second try; doubled for each further one.'),
        maxDelay: duration('30s').describe('Longest delay between tries.'),
        timeout: duration('10s').describe('Most time one try may take.'),
      },
      'Retries of a failed send, with exponential backoff.',
    ),
    quietHours: section(
      {
        start: clockTime.optional().describe('Start of the quiet period (HH:MM, local to timezone); unset: no quiet hours.'),
        end: clockTime.optional().describe('End of the quiet period; may be earlier than start (over midnight).'),
        timezone: timeZone.default('UTC').describe('IANA time zone of start and end.'),
        action: z
          .enum(['hold', 'drop'])
          .default('hold')
          .describe('hold: messages wait and are delivered when quiet hours end (an incident that opened and ended meanwhile is delivered as its resolve notice only); drop: discarded and counted (dropped.quiet_hours).'),
        channels: z.array(z.enum(ALERT_CHANNELS)).default(['slack', 'webhook', 'email']).describe('Channels that keep quiet hours.'),
      },
      'A daily period without alerts.',
    ),
    channels: section(
      {
        slack: z
          .object({ url: httpUrl.describe('Incoming-webhook URL (a secret: never logged).'), rateLimit: rateLimitSchema })
          .strict()
          .optional()
          .describe('Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat).'),
        webhook: z
          .object({
            url: httpUrl.describe('Receives a JSON POST per message (never logged: URLs often carry a token).'),
            secret: z.string().min(1).optional().describe('Signs the body: header X-Logradar-Signature: sha256=<hex HMAC-SHA256 of the body>.'),
            rateLimit: rateLimitSchema,
          })
          .strict()
          .optional()
          .describe('Generic JSON webhook.'),
        email: z
          .object({
            host: z.string().min(1).describe('SMTP server.'),
            port: z.number().int().min(1).max(65535).default(587),
            secure: z.boolean().default(false).describe('TLS from the start (port 465); false: STARTTLS when offered.'),
            user: z.string().min(1).optional(),
            pass: z.string().optional().describe('SMTP password (never logged).'),
            from: z.string().min(3).describe('Sender address.'),
            to: z.array(z.string().min(3)).min(1).describe('Recipients.'),
            rateLimit: rateLimitSchema,
          })
          .strict()
          .optional()
          .describe('E-mail via SMTP: a text and an HTML part.'),
        stdout: z
          .object({ format: z.enum(['text', 'json']).default('text'), rateLimit: rateLimitSchema })
          .strict()
          .optional()
          .describe('One line per message on standard output (text or JSON).'),
      },
      'Where alerts go; a channel is on when its section is present.',
    ),
  },
  'Alerting: rules group anomalies into incidents; one message per incident when it opens and one when it ends.',
);

/** A cron pattern croner accepts (5 fields, or 6 with seconds). */
const cronPattern = z.string().superRefine((p, ctx) => {
  try {
    new Cron(p, { paused: true }).stop();
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a cron pattern: ${(e as Error).message}` });
  }
});

export const REPORT_FORMATS = ['text', 'html', 'markdown'] as const;

const reportSchema = section(
  {
    enabled: z.boolean().default(true).describe('Make the scheduled report inside watch, serve and demo.'),
    schedule: cronPattern.default('0 7 * * *').describe('When the scheduled report is made (cron: minute hour day-of-month month day-of-week), in report.timezone.'),
    timezone: timeZone
      .optional()
      .describe('IANA time zone of report.schedule (e.g. Europe/Berlin). Unset: the zone of the process.'),
    since: duration('24h').describe('Period a scheduled report covers, ending when it is made.'),
    format: z.enum(REPORT_FORMATS).default('html').describe('Format of the scheduled report\'s file.'),
    outDir: z.string().min(1).optional().describe('Directory scheduled reports are written to (report-YYYYMMDD-HHMM.<ext>). Unset: <dataDir>/reports.'),
    mail: z.boolean().default(false).describe('Also mail each scheduled report (HTML and text) through the e-mail alert channel.'),
    to: z.array(z.string().min(3)).default([]).describe('Recipients of mailed reports. Empty: those of the e-mail alert channel.'),
    top: z.number().int().min(1).max(1000).default(10).describe('Rows of each top list (templates, errors, senders, recipients, relays).'),
    incidentGap: duration('1h').describe('Unused: the report lists the incidents the pipeline stored (detect.incidents); kept so configs that set it stay valid.'),
  },
  'The daily report (logradar report, and the scheduled run): volumes, templates, errors, incidents, and pflogsumm-like sections for Postfix.',
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
    alerts: alertsSchema,
    report: reportSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    // a rule may only name channels that are configured
    const q = c.alerts.quietHours;
    if ((q.start === undefined) !== (q.end === undefined)) ctx.addIssue({ code: 'custom', path: ['alerts', 'quietHours', q.start === undefined ? 'start' : 'end'], message: 'quiet hours need both start and end' });
    const configured = ALERT_CHANNELS.filter((ch) => c.alerts.channels[ch] !== undefined);
    c.alerts.rules.forEach((r, i) => {
      if (configured.length === 0) ctx.addIssue({ code: 'custom', path: ['alerts', 'channels'], message: `rule "${r.name}" has no channel to send to: configure one of ${ALERT_CHANNELS.join(', ')}` });
      for (const ch of r.channels) if (!configured.includes(ch)) ctx.addIssue({ code: 'custom', path: ['alerts', 'rules', i, 'channels'], message: `channel "${ch}" is not configured under alerts.channels` });
    });
  });

/** Config as written in YAML (durations and sizes may be strings). */
export type ConfigInput = z.input<typeof configSchema>;
/** Config after validation: every key present, durations in ms, sizes in bytes. */
export type Config = z.output<typeof configSchema>;
export type MonitoredField = z.output<typeof monitoredFieldSchema>;
export type AlertsConfig = Config['alerts'];
export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertChannelName = (typeof ALERT_CHANNELS)[number];

/** The masks a source's messages go through: the default shipped masks, then `parse.masks` (a mask listed in both runs once). */
export function effectiveMasks(parse: { defaultMasks: readonly string[]; masks: readonly MaskRule[] }): MaskRule[] {
  const out: MaskRule[] = parse.defaultMasks.map((name) => ({ name, ...SHIPPED_MASKS[name]! }));
  for (const m of parse.masks) if (!out.some((o) => o.regex === m.regex && o.replacement === m.replacement)) out.push(m);
  return out;
}
