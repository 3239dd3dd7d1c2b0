/**
 * Real Chromium for the dashboard's end-to-end tests: Debian's `chromium` driven by playwright-core
 * (no browser download). Every page records the dialogs it tried to open and the CSP violations it
 * hit, so a test can assert that untrusted log text never ran as script.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent (apt-get install -y chromium; .ci/run does it)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface WatchedPage {
  page: Page;
  /** Messages of dialogs (alert/confirm/prompt) the page opened; each is dismissed. */
  dialogs: string[];
  /** CSP violations: the directive and the blocked URI, from the page's `securitypolicyviolation` events and console. */
  cspViolations: string[];
  /** Uncaught page errors. */
  errors: string[];
}

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const w: WatchedPage = { page, dialogs: [], cspViolations: [], errors: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) w.cspViolations.push(m.text());
  });
  await page.exposeFunction('__reportCsp', (s: string) => w.cspViolations.push(s));
  // injected by the browser driver, not by the page: the page's CSP does not apply to it
  await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => window.__reportCsp(e.violatedDirective + ' ' + e.blockedURI));" });
  return w;
}
