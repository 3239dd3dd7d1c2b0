/**
 * Tails every file under the watched roots by polling their attributes (the reason thousands of files
 * are cheap: no watcher per file). A file is known by device + inode + a hash of its first bytes, so
 * rename+create, copytruncate, truncation in place and inode reuse are told apart. Offsets only move
 * when the pipeline has committed what was read (the checkpoint travels inside the batch).
 */
import { closeSync, fstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../config/schema.js';
import type { ComponentMetrics } from '../../model/metrics.js';
import type { RawLine } from '../../model/record.js';
import type { FileCheckpointStore, FileRow } from '../../model/store.js';
import { LineFramer } from '../framing.js';
import { LineGrouper, type MultilineOptions } from '../multiline.js';
import type { Source, SourceContext } from '../source.js';
import { compileGlobs, discover, makeRoot, sourceNameFor, type Discovered, type WatchRoot } from './discover.js';

export type FileSourceOptions = Config['files'] & {
  /** Stop once every file has been read to its end (batch mode) instead of polling forever. */
  once?: boolean;
  /** Group continuation lines into records (stack traces); undefined: every line is a record. */
  multiline?: MultilineOptions;
  /** Directories never read, however the paths match (logradar's own data dir inside a watched tree). */
  skipDirs?: string[];
};

interface Tracked {
  row: FileRow;
  framer: LineFramer;
  /** Holds a record until its last continuation line is in; the checkpoint stays at its start. */
  grouper?: LineGrouper;
  fd: number | null;
  /** Size at the last poll. */
  size: number;
  mtimeNs: bigint;
  /** Wall time of the last read that returned bytes. */
  lastData: number;
  /** Wall time of the last poll that found the file in the watched set. */
  lastSeen: number;
  seen: boolean;
  /** The failure last warned about, with the size (and mtime, when known) it was seen at: the same one is not logged again. */
  warned?: string;
}

/** The identity a descriptor must have before its bytes are taken as a tracked file's. */
interface FileId {
  dev: string;
  ino: string;
}

/**
 * What a file held before it was truncated or replaced: a copy of it found afterwards (copytruncate with
 * the copy inside the watched set) starts where this content had been read to.
 */
interface Restarted {
  source: string;
  /** Fingerprint of the old content's first `fpLen` bytes. */
  fp: string;
  fpLen: number;
  offset: number;
  line: number;
  skipping: boolean;
  /** Bytes seen but not read: lost unless a copy brings them. */
  unread: number;
  at: number;
}

/** Files of one source modified within this of its oldest pending file are read side by side. */
const SAME_AGE_NS = 60_000_000_000n;

export class FileSource implements Source {
  readonly name = 'file';
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly roots: WatchRoot[];
  private readonly globs: ReturnType<typeof compileGlobs>;
  private readonly byId = new Map<number, Tracked>();
  private readonly byInode = new Map<string, Tracked>();
  private openCount = 0;
  private readonly decisions = new Map<string, boolean>();
  private readBuf: Buffer;
  private firstScan = true;
  private restarted: Restarted[] = [];
  private m!: ComponentMetrics;
  private mm?: ComponentMetrics;

  constructor(
    args: string[],
    private readonly opts: FileSourceOptions,
    private readonly store: FileCheckpointStore,
  ) {
    this.roots = args.map(makeRoot);
    this.globs = compileGlobs(opts.include, opts.exclude);
    this.readBuf = Buffer.allocUnsafe(opts.readChunkBytes);
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Files currently tracked (for status output). */
  files(): FileRow[] {
    return [...this.byId.values()].map((t) => ({ ...t.row, size: t.size }));
  }

  async run(ctx: SourceContext): Promise<void> {
    this.m = ctx.metrics.get('source.file');
    if (this.opts.multiline) this.mm = ctx.metrics.get('multiline');
    for (const row of this.store.listFiles()) this.track(row);
    try {
      while (!this.stopped) {
        const started = Date.now();
        this.scan(ctx);
        const more = await this.readAll(ctx);
        this.closeIdle(Date.now());
        if (this.opts.once && !more) {
          await this.flushPartials(ctx, true);
          break;
        }
        await this.flushPartials(ctx, false);
        if (more) continue;
        const wait = Math.max(0, Math.min(this.opts.pollInterval - (Date.now() - started), this.heldFlushDue() - Date.now()));
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          sleep(wait).then(resolve, resolve);
        });
        this.wake = undefined;
      }
    } finally {
      for (const t of this.byId.values()) this.closeFd(t);
      this.expireRestarted(Infinity);
    }
  }

  private track(row: FileRow): Tracked {
    const t: Tracked = {
      row,
      framer: new LineFramer({ offset: row.offset, line: row.line, skipping: row.skipping }, this.opts, this.m),
      grouper: this.newGrouper(),
      fd: null,
      size: row.size,
      mtimeNs: -1n,
      lastData: 0,
      lastSeen: Date.now(),
      seen: false,
    };
    this.byId.set(row.id, t);
    this.byInode.set(`${row.dev}:${row.ino}`, t);
    return t;
  }

  private newGrouper(): LineGrouper | undefined {
    return this.opts.multiline ? new LineGrouper(this.opts.multiline, this.mm) : undefined;
  }

  private forget(t: Tracked): void {
    this.closeFd(t);
    this.byId.delete(t.row.id);
    const key = `${t.row.dev}:${t.row.ino}`;
    if (this.byInode.get(key) === t) this.byInode.delete(key);
    this.store.deleteFile(t.row.id);
  }

  /** One poll of attributes: new files, renames, truncation, replacement, deletion. */
  private scan(ctx: SourceContext): void {
    const found: Discovered[] = discover(this.roots, {
      ...this.globs,
      skipDirs: this.opts.skipDirs,
      decisions: this.decisions,
      onError: (path, err) => {
        this.m.error('discover');
        ctx.log.warn({ path, code: err.code }, 'cannot list directory');
      },
    });
    for (const t of this.byId.values()) t.seen = false;
    const now = Date.now();
    this.expireRestarted(now);
    // known files first: a truncation seen in this poll is known when a copy of the old content is met
    const known = found.filter((d) => this.byInode.has(`${d.stat.dev}:${d.stat.ino}`));
    const fresh = found.filter((d) => !this.byInode.has(`${d.stat.dev}:${d.stat.ino}`));
    for (const d of [...known, ...fresh]) {
      const key = `${d.stat.dev}:${d.stat.ino}`;
      let t = this.byInode.get(key);
      if (t && t.seen && t.row.path !== d.path) continue; // a hard link to a file already read
      let checked = true;
      if (t) {
        if (t.row.path !== d.path || t.row.gone) {
          ctx.log.debug({ from: t.row.path, to: d.path }, 'file renamed');
          t.row.path = d.path;
          t.row.gone = false;
          // Stored at once: `events` name the file by this row, and a restart must not open the old name.
          this.store.updateFile(this.checkpoint(t));
        }
        checked = this.verify(t, d.stat, ctx);
      } else {
        // not added: renamed between listing and opening (found under its new name next poll), or a copy
        // of a file still being read (taken up once that file is truncated)
        const added = this.addNew(d, now, ctx);
        if (!added) continue;
        t = added;
      }
      t.seen = true;
      t.lastSeen = now;
      t.row.gone = false;
      t.size = Number(d.stat.size);
      // Not verified (renamed away before it could be opened): verify again at the next poll.
      t.mtimeNs = checked ? d.stat.mtimeNs : -1n;
    }
    this.firstScan = false;
    for (const t of [...this.byId.values()]) {
      if (t.seen) continue;
      // Deleted or moved out of the watched set: read what is left through the open descriptor, then forget it.
      // Without a descriptor it is kept for closeInactive first: a poll racing a rename (logrotate shifts
      // every .N name) misses a file that is still there, and forgetting it would re-read it from 0.
      if (!t.row.gone) ctx.log.debug({ path: t.row.path }, 'file gone');
      t.row.gone = true;
      if (t.fd === null && now - t.lastSeen >= this.opts.closeInactive) this.forget(t);
    }
  }

  private addNew(d: Discovered, now: number, ctx: SourceContext): Tracked | undefined {
    const size = Number(d.stat.size);
    let fd: number | null = null;
    try {
      fd = this.openChecked(d.path, { dev: String(d.stat.dev), ino: String(d.stat.ino) });
      if (fd === null) return undefined;
    } catch {
      // unreadable (permissions): tracked with an empty fingerprint; reading it reports the error
    }
    let offset = 0;
    let line = 0;
    let skipping = false;
    const source = sourceNameFor(d.path, d.root, this.opts.sourceName);
    const { fp, fpLen } = this.fingerprint(fd, size, null);
    const copy = fd !== null && fpLen > 0 ? this.copyOf(fd, size, source, fp, fpLen) : undefined;
    if (copy === 'wait') {
      closeSync(fd!);
      return undefined;
    }
    if (copy) {
      // the copy holds what the truncated file held: read on from where that was read to
      offset = Math.min(copy.offset, size);
      line = copy.line;
      skipping = copy.skipping && offset === copy.offset;
      ctx.log.info({ path: d.path, offset }, 'copy of a truncated file: reading on from its offset');
    } else if (this.firstScan && this.opts.from === 'end') {
      offset = size;
      line = fd === null ? 0 : this.countLines(fd, size);
    }
    if (fd !== null) closeSync(fd);
    const row: Omit<FileRow, 'id'> = {
      path: d.path,
      source,
      dev: String(d.stat.dev),
      ino: String(d.stat.ino),
      fp,
      fpLen,
      offset,
      line,
      skipping,
      size,
      firstSeen: now,
      lastRead: now,
      gone: false,
    };
    const id = this.store.addFile(row);
    ctx.log.debug({ path: d.path, source: row.source, offset }, 'new file');
    return this.track({ ...row, id });
  }

  /**
   * Same inode as before: was it truncated or replaced (inode reuse)? Then read it again from the start.
   * Returns false when the content could not be checked (the path already names another file).
   */
  private verify(t: Tracked, st: BigIntStats, ctx: SourceContext): boolean {
    const size = Number(st.size);
    const changed = size !== t.size || st.mtimeNs !== t.mtimeNs;
    if (!changed && t.mtimeNs !== -1n) return true;
    const consumed = t.framer.readPosition;
    let reason: string | undefined;
    let fd: number | null;
    try {
      fd = t.fd ?? this.openChecked(t.row.path, t.row);
    } catch {
      fd = null; // unreadable now: nothing to compare; reading reports the error
    }
    if (fd === null) return false;
    const before = { fp: t.row.fp, fpLen: t.row.fpLen, offset: t.row.offset, line: t.row.line, skipping: t.row.skipping };
    try {
      if (size < consumed) reason = 'truncated';
      else {
        const { fp, fpLen, prefixFp } = this.fingerprint(fd, size, t.row.fpLen);
        if (prefixFp !== t.row.fp) reason = 'replaced';
        else if (fpLen > t.row.fpLen) {
          t.row.fp = fp;
          t.row.fpLen = fpLen;
        }
      }
      if (reason) {
        const { fp, fpLen } = this.fingerprint(fd, size, null);
        t.row.fp = fp;
        t.row.fpLen = fpLen;
      }
    } finally {
      if (fd !== t.fd) closeSync(fd);
    }
    if (!reason) return true;
    // Bytes we saw exist but never read are lost with the old content (copytruncate's window), and so
    // is a record held for its continuation lines (read, but not committed).
    const unread = Math.max(0, t.size - Math.min(consumed, t.grouper?.first?.offset ?? consumed));
    this.m.drop(`file_${reason}`);
    if (before.fpLen > 0) this.restarted.push({ source: t.row.source, ...before, unread, at: Date.now() });
    else if (unread > 0) this.m.drop('unread_bytes_lost', unread);
    ctx.log.info({ path: t.row.path, reason, unreadBytes: unread }, 'file restarted from the beginning');
    t.row.offset = 0;
    t.row.line = 0;
    t.row.skipping = false;
    t.framer = new LineFramer({ offset: 0, line: 0, skipping: false }, this.opts, this.m);
    t.grouper = this.newGrouper();
    // Stored now, not with the next data: a truncated file may stay empty, and status must not show the old offset.
    this.store.updateFile(this.checkpoint({ ...t, size }));
    return true;
  }

  /**
   * Is a new file a copy of a file of the same source? Of one truncated or replaced since (it starts with
   * the bytes that one was fingerprinted by): it starts where that one was read to. Of one still being
   * read (same first bytes over the full fingerprint length, and the same bytes where the new file ends):
   * 'wait', until the original is truncated (copytruncate) or for good (a plain copy holds nothing the
   * original does not). A file that is no copy is read at once, however short.
   */
  private copyOf(fd: number, size: number, source: string, fp: string, fpLen: number): Restarted | 'wait' | undefined {
    const i = this.restarted.findIndex((r) => r.source === source && r.fpLen <= size && (r.fpLen === fpLen ? r.fp === fp : this.fingerprint(fd, size, r.fpLen).prefixFp === r.fp));
    if (i >= 0) return this.restarted.splice(i, 1)[0];
    if (fpLen !== this.opts.fingerprintBytes) return undefined;
    for (const t of this.byId.values()) {
      if (t.row.gone || t.row.source !== source || t.row.fp !== fp || t.row.fpLen !== fpLen || t.size < size) continue;
      if (this.sameTail(fd, t, size)) return 'wait';
    }
    return undefined;
  }

  /** The last bytes before `size` are the same in `fd` and in the tracked file `t`. */
  private sameTail(fd: number, t: Tracked, size: number): boolean {
    let other: number | null;
    try {
      other = t.fd ?? this.openChecked(t.row.path, t.row);
    } catch {
      return false;
    }
    if (other === null) return false;
    try {
      const len = Math.min(size, this.opts.fingerprintBytes);
      const a = Buffer.alloc(len);
      const b = Buffer.alloc(len);
      return readSync(fd, a, 0, len, size - len) === len && readSync(other, b, 0, len, size - len) === len && a.equals(b);
    } catch {
      return false;
    } finally {
      if (other !== t.fd) closeSync(other);
    }
  }

  /** Old contents no copy turned up for within `closeInactive`: their unread bytes are lost. */
  private expireRestarted(now: number): void {
    const keep: Restarted[] = [];
    for (const r of this.restarted) {
      if (now - r.at < this.opts.closeInactive) keep.push(r);
      else if (r.unread > 0) this.m.drop('unread_bytes_lost', r.unread);
    }
    this.restarted = keep;
  }

  /**
   * Opens `path` only if it still is the file `id` (same device and inode). Between a poll's stat and an
   * open, a rotation can give the name to another file: reading that one under this file's checkpoint
   * would lose the rest of this file and duplicate the other.
   */
  private openChecked(path: string, id: FileId): number | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw e;
      return null;
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      if (String(st.dev) === id.dev && String(st.ino) === id.ino) return fd;
    } catch {
      // fall through: not usable
    }
    closeSync(fd);
    return null;
  }

  /**
   * Hash of the first min(size, fingerprintBytes) bytes, and of the first `prefixLen` bytes (to compare
   * with a fingerprint taken when the file was shorter).
   */
  private fingerprint(fd: number | null, size: number, prefixLen: number | null): { fp: string; fpLen: number; prefixFp: string } {
    const len = fd === null ? 0 : Math.min(size, this.opts.fingerprintBytes);
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    try {
      while (got < len) {
        const n = readSync(fd!, buf, got, len - got, got);
        if (n === 0) break;
        got += n;
      }
    } catch {
      got = 0;
    }
    const hash = (n: number) => createHash('sha1').update(buf.subarray(0, n)).digest('base64');
    const fp = hash(got);
    const prefixFp = prefixLen === null ? fp : prefixLen <= got ? hash(prefixLen) : '';
    return { fp, fpLen: got, prefixFp };
  }

  private countLines(fd: number, size: number): number {
    let lines = 0;
    try {
      for (let pos = 0; pos < size; ) {
        const n = readSync(fd, this.readBuf, 0, Math.min(this.readBuf.length, size - pos), pos);
        if (n === 0) break;
        for (let i = this.readBuf.indexOf(10, 0); i >= 0 && i < n; i = this.readBuf.indexOf(10, i + 1)) lines++;
        pos += n;
      }
    } catch {
      // unreadable: numbering starts at 0
    }
    return lines;
  }

  /** Reads every file that has new bytes, one chunk per file per round. Returns true if any has more. */
  private async readAll(ctx: SourceContext): Promise<boolean> {
    let rounds = 0;
    let anyMore = true;
    while (anyMore && !this.stopped && rounds < 16) {
      anyMore = false;
      rounds++;
      // A gone file is read to its end through the descriptor it had; without one there is nothing to read.
      const pending = [...this.byId.values()].filter((t) => !(t.row.gone ? t.fd === null : t.framer.readPosition >= t.size));
      // Within one source, older files first: rotated files (app.log.1, mail.log-20261120) are read
      // before newer ones, so log time moves forward through the source's windows and sessions.
      const oldest = new Map<string, bigint>();
      for (const t of pending) {
        const o = oldest.get(t.row.source);
        if (o === undefined || t.mtimeNs < o) oldest.set(t.row.source, t.mtimeNs);
      }
      for (const t of pending) {
        if (this.stopped) return false;
        if (t.mtimeNs > oldest.get(t.row.source)! + SAME_AGE_NS) {
          anyMore = true; // its turn comes when the older ones are read
          continue;
        }
        const more = await this.readChunk(t, ctx);
        anyMore ||= more;
      }
    }
    return anyMore;
  }

  /** Reads one chunk, frames it and hands it on; returns whether more data is waiting. */
  private async readChunk(t: Tracked, ctx: SourceContext): Promise<boolean> {
    if (t.fd === null && !this.openFd(t, ctx)) return false;
    const pos = t.framer.readPosition;
    let n: number;
    try {
      n = readSync(t.fd!, this.readBuf, 0, this.readBuf.length, pos);
    } catch (e) {
      this.failed(t, 'read', e as NodeJS.ErrnoException, ctx);
      this.closeFd(t);
      return false;
    }
    t.warned = undefined;
    const now = Date.now();
    if (n === 0) {
      if (t.row.gone && now - t.lastData > this.opts.closeInactive && !t.grouper?.holding) this.forget(t);
      return false;
    }
    t.lastData = now;
    if (pos + n > t.size) t.size = pos + n;
    const lines: RawLine[] = [];
    if (t.grouper) {
      const framed: RawLine[] = [];
      t.framer.push(this.readBuf.subarray(0, n), framed);
      for (const l of framed) t.grouper.push(l, lines);
    } else t.framer.push(this.readBuf.subarray(0, n), lines);
    await this.emit(t, lines, ctx, now);
    return n === this.readBuf.length;
  }

  private async emit(t: Tracked, lines: RawLine[], ctx: SourceContext, now: number): Promise<void> {
    const held = t.grouper?.first;
    if (held) {
      // a held record is not consumed yet: after a restart it is read again from its first line
      t.row.offset = held.offset;
      t.row.line = held.line - 1;
      t.row.skipping = false;
    } else {
      const p = t.framer.position();
      t.row.offset = p.offset;
      t.row.line = p.line;
      t.row.skipping = p.skipping;
    }
    t.row.lastRead = now;
    this.m.emitted += lines.length;
    await ctx.emit({ source: t.row.source, file: t.row.path, fileId: t.row.id, lines, checkpoint: this.checkpoint(t) });
  }

  /**
   * When the earliest held multi-line record is due to be flushed: the loop wakes for it rather than at
   * the next poll, so the wait a record adds to its last line is flushTimeout, not a poll interval more.
   */
  private heldFlushDue(): number {
    let due = Infinity;
    if (!this.opts.multiline) return due;
    for (const t of this.byId.values()) if (t.grouper?.holding) due = Math.min(due, t.lastData + this.opts.multiline.flushTimeout);
    return due;
  }

  private checkpoint(t: Tracked): Omit<FileRow, 'firstSeen'> {
    const { firstSeen: _f, ...row } = { ...t.row, size: t.size };
    return row;
  }

  /**
   * A last line without LF is emitted once it has waited `partialLineTimeout`, a held multi-line record
   * once it has waited the multiline `flushTimeout` (both at once at the end in batch mode).
   */
  private async flushPartials(ctx: SourceContext, all: boolean): Promise<void> {
    const now = Date.now();
    const idle = (ms: number, t: Tracked) => all || now - t.lastData >= ms;
    for (const t of this.byId.values()) {
      const partial = t.framer.hasPartial && idle(this.opts.partialLineTimeout, t);
      const group = t.grouper !== undefined && idle(this.opts.multiline!.flushTimeout, t);
      if (!partial && !(group && t.grouper!.holding)) continue;
      const lines: RawLine[] = [];
      if (partial && t.grouper) {
        const framed: RawLine[] = [];
        t.framer.flushPartial(framed);
        for (const l of framed) t.grouper.push(l, lines);
      } else if (partial) t.framer.flushPartial(lines);
      if (group) t.grouper!.flush(lines);
      await this.emit(t, lines, ctx, now);
    }
  }

  private openFd(t: Tracked, ctx: SourceContext): boolean {
    if (this.openCount >= this.opts.maxOpenFiles) this.closeLeastRecent();
    try {
      const fd = this.openChecked(t.row.path, t.row);
      if (fd === null) return false; // moved or replaced since the last poll: the next poll finds it
      t.fd = fd;
      this.openCount++;
      t.lastData = Date.now();
      return true;
    } catch (e) {
      this.failed(t, 'open', e as NodeJS.ErrnoException, ctx);
      return false;
    }
  }

  /** Counts and warns about a failure once, and again only when the file changes size (or fails otherwise): not at every poll. */
  private failed(t: Tracked, stage: 'open' | 'read', e: NodeJS.ErrnoException, ctx: SourceContext): void {
    const key = `${stage}:${e.code}:${t.size}:${t.mtimeNs}`;
    if (t.warned === key) return;
    t.warned = key;
    this.m.error(stage);
    ctx.log.warn({ path: t.row.path, code: e.code }, stage === 'open' ? 'cannot open file (warned again when it changes)' : 'read failed (warned again when the file changes)');
  }

  private closeFd(t: Tracked): void {
    if (t.fd === null) return;
    try {
      closeSync(t.fd);
    } catch {
      // already closed
    }
    t.fd = null;
    this.openCount--;
  }

  private closeLeastRecent(): void {
    let oldest: Tracked | undefined;
    for (const t of this.byId.values()) if (t.fd !== null && !t.row.gone && (!oldest || t.lastData < oldest.lastData)) oldest = t;
    if (oldest) this.closeFd(oldest);
  }

  /** Releases descriptors of files quiet for `closeInactive`; gone files are forgotten then. */
  private closeIdle(now: number): void {
    for (const t of [...this.byId.values()]) {
      if (t.fd === null || now - t.lastData < this.opts.closeInactive) continue;
      if (t.framer.hasPartial || t.grouper?.holding) continue;
      if (t.row.gone) this.forget(t);
      else this.closeFd(t);
    }
  }
}
