import { describe, expect, it } from 'vitest';
import { configSchema, effectiveMasks } from '../../config/schema.js';
import { SHIPPED_MASKS, type MaskRule } from '../../model/masks.js';
import { UserMasks } from './masks.js';
import { TemplateMiner, type MinerOptions } from './miner.js';

const OPTS: MinerOptions = { similarity: 0.75, depth: 2, maxTemplates: 5000 };
const shipped = (name: string): MaskRule => ({ name, ...SHIPPED_MASKS[name] });

function miner(rules: MaskRule[] = []): TemplateMiner {
  let n = 0;
  return new TemplateMiner({ ...OPTS, masks: rules.length ? new UserMasks(rules) : undefined }, { next: () => ++n });
}

describe('default masks (parse.defaultMasks)', () => {
  const parseOf = (parse: object) => configSchema.parse({ parse }).parse;
  it('e-mail addresses are masked by default, so a template does not split per recipient', () => {
    const masks = effectiveMasks(parseOf({}));
    expect(masks.map((m) => m.name)).toEqual(['email']);
    const mn = miner(masks);
    const a = mn.add('to=<nina@gmx.de>, status=sent');
    const b = mn.add('to=<marco@cyberdyne.net>, status=sent');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('to=<<*>>, status=sent');
  });

  it('[] turns them off; a default mask also listed in parse.masks runs once; user masks run after', () => {
    expect(effectiveMasks(parseOf({ defaultMasks: [] }))).toEqual([]);
    const both = effectiveMasks(parseOf({ masks: ['email', 'url'] }));
    expect(both.map((m) => m.name)).toEqual(['email', 'url']);
    expect(() => parseOf({ defaultMasks: ['nope'] })).toThrow();
  });

  it('a mask whose required text is absent skips its regex, with the same result', () => {
    const re = { name: 'at', regex: '\\w+@\\w+', replacement: '<*>' };
    const withHint = new UserMasks([{ ...re, requires: '@' }]);
    const without = new UserMasks([re]);
    for (const t of ['no address here', 'a@b and c@d']) {
      const v1: string[] = [];
      const v2: string[] = [];
      expect(withHint.apply(t, v1)).toBe(without.apply(t, v2));
      expect(v1).toEqual(v2);
    }
  });
});

describe('UserMasks.apply', () => {
  it('replaces every match in order and reports the original text under each <*>', () => {
    const m = new UserMasks([shipped('email'), { name: 'sess', regex: 'sess-[a-z]+', replacement: '<SESSION>' }]);
    const values: string[] = [];
    expect(m.apply('from a.b+c@mail.example.org to x@y.io in sess-abc', values)).toBe('from <*> to <*> in <SESSION>');
    expect(values).toEqual(['a.b+c@mail.example.org', 'x@y.io']);
    expect(m.apply('from a@b.org')).toBe('from <*>');
  });

  it('a <*> already in the message stands for itself; a later mask covering an earlier one restores it', () => {
    const m = new UserMasks([
      { name: 'word', regex: 'secret', replacement: '<*>' },
      { name: 'pair', regex: 'k=\\S+', replacement: '<*>' },
    ]);
    const values: string[] = [];
    expect(m.apply('<*> k=secret! tail secret', values)).toBe('<*> <*> tail <*>');
    expect(values).toEqual(['<*>', 'k=secret!', 'secret']);
  });

  it('treats the replacement literally and skips empty matches', () => {
    const m = new UserMasks([{ name: 'x', regex: 'a*', replacement: '$&' }]);
    expect(m.apply('baab')).toBe('b$&b');
  });

  it('the shipped masks find e-mail addresses, URLs and paths, not ordinary words', () => {
    const m = new UserMasks([shipped('email'), shipped('url'), shipped('path')]);
    expect(m.apply('GET https://example.org/a/b?x=1 for bob@example.org from /var/log/app.log and /tmp')).toBe('GET <*> for <*> from <*> and /tmp');
    expect(m.apply('msrabi@msra-sa-41 and SendWorker@679 and 10/20 and a/b/c')).toBe('msrabi@msra-sa-41 and SendWorker@679 and 10/20 and a/b/c');
  });
});

describe('TemplateMiner with user masks', () => {
  const lines = ['mail from alice@a.org to bob@b.org accepted', 'mail from carol@c.net to dave@d.net accepted'];

  it('changes grouping as expected: two differing addresses only share a template once masked', () => {
    const plain = miner();
    const [a, b] = lines.map((l) => plain.add(l));
    expect(b.templateId).not.toBe(a.templateId); // 2 of 6 tokens differ: below the similarity

    const masked = miner([shipped('email')]);
    const [c, d] = lines.map((l) => masked.add(l));
    expect(d.templateId).toBe(c.templateId);
    expect(c.change).toBe('created');
    expect(d.change).toBe('none');
    expect(d.template).toBe('mail from <*> to <*> accepted');
    expect(d.params).toEqual(['carol@c.net', 'dave@d.net']);
  });

  it('gives the original values from paramsOf and match, also inside a token and across spaces', () => {
    const m = miner([
      { name: 'user', regex: '(?<=user=)[a-z]+', replacement: '<*>' },
      { name: 'reason', regex: 'because [a-z ]+$', replacement: '<*>' },
    ]);
    const r = m.add('login user=alice ok because password expired');
    expect(r.template).toBe('login user=<*> ok <*>');
    expect(r.params).toEqual(['alice', 'because password expired']);
    expect(m.paramsOf(r.templateId, 'login user=bob ok because locked')).toEqual(['bob', 'because locked']);
    const again = m.match('login user=carol ok because of too many tries');
    expect(again?.templateId).toBe(r.templateId);
    expect(again?.params).toEqual(['carol', 'because of too many tries']);
  });

  it('a constant replacement is part of the template, not a parameter', () => {
    const m = miner([{ name: 'sess', regex: 'sess-[a-z]+', replacement: '<SESSION>' }]);
    m.add('closed sess-abc cleanly');
    const r = m.add('closed sess-xyz cleanly');
    expect(r.template).toBe('closed <SESSION> cleanly');
    expect(r.params).toEqual([]);
    expect(r.change).toBe('none');
  });

  it('built-in masking still runs after the user masks', () => {
    const m = miner([shipped('email')]);
    const r = m.add('user bob@example.org failed 3 times from 10.0.0.1:22');
    expect(r.template).toBe('user <*> failed <*> times from <*>:<*>');
    expect(r.params).toEqual(['bob@example.org', '3', '10.0.0.1', '22']);
  });
});

describe('parse.masks in the config', () => {
  const parse = (masks: unknown) => configSchema.safeParse({ parse: { masks } });

  it('expands shipped names and defaults the replacement to <*>', () => {
    const r = parse(['email', { name: 'ticket', regex: 'T-\\d+' }]);
    expect(r.success).toBe(true);
    expect(r.data!.parse.masks).toEqual([
      { name: 'email', ...SHIPPED_MASKS.email },
      { name: 'ticket', regex: 'T-\\d+', replacement: '<*>' },
    ]);
    expect(configSchema.parse({}).parse.masks).toEqual([]);
  });

  it('refuses unboundable and invalid regexes and unknown shipped names, naming the entry', () => {
    const issue = (masks: unknown) => {
      const r = parse(masks);
      expect(r.success).toBe(false);
      return { path: r.error!.issues[0].path.join('.'), message: r.error!.issues[0].message };
    };
    expect(issue([{ name: 'bad', regex: '(a+)+\\1' }])).toEqual({ path: 'parse.masks.0.regex', message: expect.stringContaining('cannot be bounded (back-reference)') });
    expect(issue(['email', { name: 'bad', regex: '([a-z]' }])).toEqual({ path: 'parse.masks.1.regex', message: expect.stringContaining('not a valid regex') });
    expect(issue(['phone'])).toEqual({ path: 'parse.masks.0', message: expect.stringContaining('no shipped mask "phone"') });
    expect(issue([{ name: 'x', regex: 'y', colour: 'red' }]).path).toBe('parse.masks.0');
  });
});
