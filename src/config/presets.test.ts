import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { POSTFIX_PRESET } from './presets.js';
import { configSchema } from './schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('Postfix preset', () => {
  it('hourly windows, sessions by queue id; examples/postfix.yaml says the same', () => {
    const preset = configSchema.parse(POSTFIX_PRESET);
    expect(preset.detect.interval).toBe(3_600_000);
    expect(preset.session.field).toBe('queueId');
    const file = loadConfig({ file: path.join(ROOT, 'examples', 'postfix.yaml') });
    expect(file.detect).toEqual(preset.detect);
    expect(file.session).toEqual(preset.session);
  });
});
