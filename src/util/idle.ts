/** Async iteration with a deadline: lets a reader act (flush what it holds) when its input goes quiet. */

export const IDLE = Symbol('idle');

/**
 * Yields the items of `source`; while `waiting()` is true, yields `IDLE` whenever `ms` pass without a
 * new item (the pending read is kept, so nothing is lost or reordered).
 */
export async function* withIdle<T>(source: AsyncIterable<T>, ms: number, waiting: () => boolean): AsyncGenerator<T | typeof IDLE> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  for (;;) {
    let r: IteratorResult<T> | typeof IDLE;
    if (waiting()) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<typeof IDLE>((resolve) => {
        timer = setTimeout(() => resolve(IDLE), ms);
      });
      r = await Promise.race([next, idle]);
      clearTimeout(timer);
    } else r = await next;
    if (r === IDLE) {
      yield IDLE;
      continue;
    }
    if (r.done) return;
    next = it.next();
    yield r.value;
  }
}
