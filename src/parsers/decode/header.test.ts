import { describe, expect, it } from 'vitest';
import { detectHeader } from './header.js';
import { detectTimestamp } from './timestamp.js';

const NOW = Date.UTC(2026, 10, 21, 12);

/** The message part of a raw line, as the decoder's auto format sees it. */
function message(line: string): string {
  const t = detectTimestamp(line, NOW);
  return line.slice(detectHeader(line, t?.end ?? 0, t?.syslog === true).start);
}

describe('detectHeader', () => {
  it('strips the headers of common formats, leaving the message', () => {
    const cases: [string, string][] = [
      ['081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_3 terminating', 'PacketResponder 1 for block blk_3 terminating'],
      ['2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster', 'Created MRAppMaster'],
      ['17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]', 'Registered signal handlers for [TERM, HUP, INT]'],
      ['2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200', 'Notification time out: 3200'],
      ['- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected', 'instruction cache parity error corrected'],
      ['Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown', 'check pass; user unknown'],
      ['Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186', 'Invalid user webmaster from 173.234.31.186'],
      ['Jun  9 06:06:20 combo kernel: Linux version 2.6.5', 'Linux version 2.6.5'],
      ['[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties', 'workerEnv.init() ok /etc/httpd/conf/workers2.properties'],
      ['[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] Directory index forbidden by rule: /var/www/html/', '[client 1.2.3.4] Directory index forbidden by rule: /var/www/html/'],
    ];
    for (const [line, msg] of cases) expect(message(line), line).toBe(msg);
  });

  it('leaves messages without a recognised header alone', () => {
    for (const line of ['user 42 logged in', 'ERROR', 'error: disk full on /dev/sda1', 'Notification: 1 (n.leader), 0x0 (n.zxid)', '2026-11-21T10:00:00Z worker 3 finished job']) {
      const t = detectTimestamp(line, NOW);
      expect(detectHeader(line, t?.end ?? 0, !!t?.syslog).start, line).toBe(t?.end ?? 0);
    }
  });

  it('reports the level and component it found', () => {
    expect(detectHeader('081109 203615 148 INFO dfs.DataNode: x y', 13, false)).toMatchObject({ level: 'INFO', component: 'dfs.DataNode' });
  });
});
