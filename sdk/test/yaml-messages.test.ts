// Messages for people editing YAML: positions of paths, syntax errors, and zod issues in words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { describeZodError, duration, formatLocation, formatPath, parseYamlSource } from '@sensegate/sdk';
import { delay, waitFor } from '@sensegate/sdk/testing';

describe('parseYamlSource', () => {
  const source = parseYamlSource('site.yaml', ['gateway:', '  id: a', 'devices:', '  - id: d', '    points:', '      - { id: p, address: 3 }', ''].join('\n'));

  it('locates keys, list items and missing fields (at their deepest existing parent)', () => {
    assert.deepEqual(source.position(['gateway', 'id']), { line: 2, col: 3 });
    assert.deepEqual(source.position(['devices', 0]), { line: 4, col: 5 });
    assert.deepEqual(source.position(['devices', 0, 'points', 0], 'address'), { line: 6, col: 18 });
    assert.deepEqual(source.position(['devices', 0, 'timeout']), { line: 4, col: 5 });
    assert.equal(formatLocation(source.file, source.position(['gateway'])), 'site.yaml:1:1');
  });

  it('reports syntax errors and duplicate keys with line and column, and no data', () => {
    const bad = parseYamlSource('bad.yaml', 'a: 1\na: 2\n');
    assert.equal(bad.data, undefined);
    assert.equal(bad.syntaxErrors[0]!.line, 2);
    assert.match(bad.syntaxErrors[0]!.message, /unique/i);
    assert.ok(parseYamlSource('x.yaml', 'a: [\n').syntaxErrors.length > 0);
  });

  it('formats paths', () => {
    assert.equal(formatPath(['devices', 2, 'points', 0, 'address']), 'devices[2].points[0].address');
    assert.equal(formatPath([]), '(root)');
  });
});

describe('describeZodError', () => {
  const schema = z.strictObject({
    id: z.string(),
    count: z.number().int().min(1).optional(),
    name: z.string().min(3, 'give a longer name').optional(),
    every: duration('how often').optional(),
    kind: z.enum(['a', 'b']).optional(),
    gen: z.discriminatedUnion('kind', [z.object({ kind: z.literal('sine') }), z.object({ kind: z.literal('csv') })]).optional(),
  });
  const problems = (input: unknown) => {
    const result = schema.safeParse(input, { reportInput: true });
    assert.ok(!result.success);
    return Object.fromEntries(describeZodError(result.error, ['units', 0]).map((p) => [formatPath(p.path), p.message]));
  };

  it('says what was expected and what was written', () => {
    assert.deepEqual(problems({ count: 0, name: 'ab', every: 'often', kind: 'c', gen: { kind: 'x' }, colour: 'blue' }), {
      'units[0].id': 'is required',
      'units[0].count': 'must be at least 1, got number 0',
      'units[0].name': 'give a longer name',
      'units[0].every': 'a duration such as 500ms, 10s, 5m, 24h or 7d',
      'units[0].kind': 'must be one of "a", "b", got "c"',
      'units[0].gen.kind': 'must be one of "sine", "csv", got "x"',
      'units[0].colour': 'unknown field "colour"',
    });
    assert.deepEqual(problems({ id: 1, every: true, gen: {} }), {
      'units[0].id': 'expected string, got number 1',
      'units[0].every': 'expected number or string, got boolean true',
      'units[0].gen.kind': 'is required: one of "sine", "csv"',
    });
  });
});

describe('waitFor', () => {
  it('returns the first truthy value, and names what it waited for on timeout', async () => {
    let n = 0;
    assert.equal(await waitFor('three tries', () => (++n >= 3 ? n : undefined), { interval: 1 }), 3);
    await assert.rejects(
      waitFor('never', () => { throw new Error('still starting'); }, { timeout: 30, interval: 5 }),
      /timed out after 30 ms waiting for never: still starting/,
    );
    await delay(1);
  });
});
