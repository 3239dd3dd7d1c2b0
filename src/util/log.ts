/** Service logs: pino, JSON lines to stderr (stdout belongs to anomalies and query output). */
import pino, { type Logger } from 'pino';

export function createLogger(level: string, name = 'logradar'): Logger {
  return pino({ name, level }, pino.destination({ fd: 2, sync: true }));
}
