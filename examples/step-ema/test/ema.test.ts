// The example step, tested with the SDK's step kit alone: its output over a series, and its
// obligations (JSON state, any restart point, inputs untouched).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reading } from '@sensegate/sdk';
import { checkStep } from '@sensegate/sdk/testing';
import ema from '../src/index.js';

const at = (s: number, value: number | null, quality: Reading['quality'] = 'good'): Reading => ({ device: 'dev', point: 'p', ts: s * 1000, value, quality });

describe('sensegate-step-ema', () => {
  it('smooths numbers, passes bad readings untouched, and starts afresh after a gap', () => {
    const out = checkStep(ema, { alpha: 0.5, maxGap: '1m' }, [at(0, 10), at(1, 20), at(2, null, 'bad'), at(3, 20), at(120, 2), at(121, 4)], {
      point: { decimals: 2 },
    });
    assert.deepEqual(
      out.map((o) => ('reading' in o ? [o.reading.value, o.reading.quality] : o.event.type)),
      [
        [10, 'good'],
        [15, 'good'],
        [null, 'bad'],
        [17.5, 'good'],
        [2, 'good'], // two minutes later: afresh
        [3, 'good'],
      ],
    );
  });

  it('is never better than an uncertain reading that went in, until it starts afresh', () => {
    const out = checkStep(ema, { alpha: 0.5 }, [at(0, 10), at(1, 12, 'uncertain'), at(2, 14), at(3600, 1)]);
    assert.deepEqual(
      out.map((o) => ('reading' in o ? o.reading.quality : '')),
      ['good', 'uncertain', 'uncertain', 'good'],
    );
  });
});
