import type { Route } from './router.js';

export interface PageContext {
  root: HTMLElement;
  route: Route;
  /** Navigates to another hash (the page is re-rendered by the router). */
  go(hash: string): void;
}

/** Renders into ctx.root; returns what to undo when the page is left (subscriptions, timers, charts). */
export type Page = (ctx: PageContext) => (() => void) | void;

/** Runs `fn` over items with at most `n` at a time (the browser has ~6 connections per origin). */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
