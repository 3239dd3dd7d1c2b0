/**
 * Server-Sent Events to every connected dashboard: `anomaly` and `series` events as the pipeline
 * commits them, a `ping` as heartbeat (proxies and browsers drop silent connections). A client that
 * stops reading is disconnected once its backlog passes a bound, so a stuck tab cannot grow memory.
 */
import type { ServerResponse } from 'node:http';

/** Unsent bytes a client may lag behind before it is dropped (it reconnects and reloads the list). */
const MAX_BACKLOG = 4 * 1024 * 1024;

export class StreamHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;

  constructor(heartbeatMs: number) {
    this.timer = setInterval(() => this.send('ping', { t: Date.now() }), heartbeatMs);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over a response: headers already set on it (security headers) are kept. */
  add(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    res.on('close', drop);
    res.on('error', drop);
  }

  /** One event to every client; JSON keeps the data on one line (CR and LF inside strings are escaped). */
  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength > MAX_BACKLOG) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(msg);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
