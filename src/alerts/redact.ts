/**
 * Secrets never reach the logs: webhook URLs carry their token in the path or query, SMTP has a password.
 * A `Redactor` knows the secrets of the configured channels and blanks them out of any text (error
 * messages of fetch or nodemailer may quote a URL or a credential).
 */

const MASK = '[redacted]';

/** A URL as it may be logged: scheme and host only (the path and query of a webhook URL are its token). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/${MASK}`;
  } catch {
    return MASK;
  }
}

export class Redactor {
  private readonly secrets: string[] = [];

  /** Adds secrets (empty and very short values are ignored: masking "a" would shred every message). */
  add(...values: Array<string | undefined>): this {
    for (const v of values) {
      if (!v || v.length < 4) continue;
      this.secrets.push(v);
      // a URL also appears without its query, or percent-encoded in some error texts
      try {
        const u = new URL(v);
        if (u.pathname.length > 1) this.secrets.push(u.pathname);
        if (u.search.length > 1) this.secrets.push(u.search);
        if (u.password) this.secrets.push(u.password);
      } catch {
        // not a URL
      }
      const enc = encodeURIComponent(v);
      if (enc !== v) this.secrets.push(enc);
    }
    // longest first, so a URL is masked whole before its path is
    this.secrets.sort((a, b) => b.length - a.length);
    return this;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    return out;
  }
}
