/**
 * The session-scope fixture: HDFS block sessions (template-id sequences) from the DeepLoglizer train split
 * of ../shared/data/hdfs. Training = the first 60 % of those sessions, unlabelled (its anomalies included,
 * as real data); test = the other 40 %, labelled. About half of the anomalous blocks were cut short by
 * the 100k-line sample and are identical to normal sessions, which caps the reachable AUC near 0.8.
 */
import { readFileSync } from 'node:fs';
import { readCsv } from './loghub.js';
import { sharedData } from './shared-data.js';

export const HDFS_SESSIONS = sharedData('hdfs/hdfs100k_block_sessions.csv');

export interface HdfsSession {
  blockId: string;
  anomalous: boolean;
  /** `T5` → 5 */
  events: number[];
  split: string;
}

export function hdfsSessions(): HdfsSession[] {
  const [header, ...rows] = readCsv(readFileSync(HDFS_SESSIONS.path, 'utf8'));
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${HDFS_SESSIONS.path}: no column ${name}`);
    return i;
  };
  const [id, label, seq, split] = [col('BlockId'), col('Label'), col('EventSequence'), col('DeepLoglizerSplit')];
  return rows
    .filter((r) => r.length === header.length)
    .map((r) => ({
      blockId: r[id],
      anomalous: r[label] === '1',
      events: r[seq].split(' ').filter(Boolean).map((t) => Number(t.replace(/^T/, ''))),
      split: r[split],
    }));
}

/** The sessions as template-id sequences (the sequence model's own tests). */
export function sessionFixture(): { train: number[][]; test: Array<{ x: number[]; anomalous: boolean }> } | undefined {
  if (!HDFS_SESSIONS.present) {
    console.log(`session fixture skipped: ${HDFS_SESSIONS.why}`);
    return undefined;
  }
  const sessions = hdfsSessions().filter((s) => s.split === 'session_train');
  const cut = Math.floor(sessions.length * 0.6);
  return {
    train: sessions.slice(0, cut).map((s) => s.events),
    test: sessions.slice(cut).map((s) => ({ x: s.events, anomalous: s.anomalous })),
  };
}
