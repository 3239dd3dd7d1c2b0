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
}

/**
 * Masks shipped with logradar, enabled by name (`parse.masks: [email, url, path]`). Not on by default:
 * Loghub's reference templates keep e-mail addresses and digit-free paths as constants, and one
 * differing word already merges into a template. A lookbehind keeps each regex linear on long words.
 */
export const SHIPPED_MASKS: Record<string, Omit<MaskRule, 'name'>> = {
  email: { regex: '(?<![\\w.%+-])[\\w.%+-]+@[A-Za-z0-9-]+\\.[A-Za-z0-9.-]*[A-Za-z]', replacement: WILDCARD },
  url: { regex: '(?<![\\w+.-])[A-Za-z][\\w+.-]*://[^\\s"\'<>()\\[\\]{}|,;]+', replacement: WILDCARD },
  path: { regex: '(?<![\\w.~/:-])/[\\w.@+~-]+/[\\w.@+~/-]*', replacement: WILDCARD },
};

/** A shipped mask's regex, trusted as written (it needs lookbehind, which the linear-time engine lacks). */
export function isShippedMask(regex: string): boolean {
  return Object.values(SHIPPED_MASKS).some((m) => m.regex === regex);
}
