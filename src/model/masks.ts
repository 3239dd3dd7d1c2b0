/**
 * Masks as data (DESIGN §3): a regex and its replacement, validated by the config and applied by the
 * template miner. This module imports nothing of ours.
 */

/** The variable part of a template. */
export const WILDCARD = '<*>';

export interface MaskRule {
  name: string;
  regex: string;
  replacement: string;
  /** A text every match contains: a message without it skips the regex (the shipped masks set it). */
  requires?: string;
}

/**
 * Masks shipped with logradar, enabled by name (`parse.masks: [url, path]`). Only `email` is on by
 * default (`parse.defaultMasks`): an address is a value, never a word, and a template per recipient
 * floods the rare/new-template detectors (issue 12). On the 8 Loghub-2k systems it changes one line (Linux's
 * kernel banner keeps `bhcompile@bugs.build.redhat.com` as a constant) and no grouping. `url` and `path`
 * stay opt-in: Loghub's reference templates keep digit-free paths as constants. A lookbehind keeps each
 * regex linear on long words.
 */
export const SHIPPED_MASKS: Record<string, Omit<MaskRule, 'name'>> = {
  email: { regex: '(?<![\\w.%+-])[\\w.%+-]+@[A-Za-z0-9-]+\\.[A-Za-z0-9.-]*[A-Za-z]', replacement: WILDCARD, requires: '@' },
  url: { regex: '(?<![\\w+.-])[A-Za-z][\\w+.-]*://[^\\s"\'<>()\\[\\]{}|,;]+', replacement: WILDCARD, requires: '://' },
  path: { regex: '(?<![\\w.~/:-])/[\\w.@+~-]+/[\\w.@+~/-]*', replacement: WILDCARD, requires: '/' },
};

/** The shipped masks on by default (`parse.defaultMasks`). */
export const DEFAULT_MASKS = ['email'] as const;

/** A shipped mask's regex, trusted as written (it needs lookbehind, which the linear-time engine lacks). */
export function isShippedMask(regex: string): boolean {
  return Object.values(SHIPPED_MASKS).some((m) => m.regex === regex);
}
