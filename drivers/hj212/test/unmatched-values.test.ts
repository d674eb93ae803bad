// Values no point takes are logged once per CN, code and field (src/station/unmatched.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_KNOWN, UnmatchedValues } from '../src/station/unmatched.js';

describe('unmatched values', () => {
  it('are logged the first time a CN, code and field is seen, and not again', () => {
    const unmatched = new UnmatchedValues();
    assert.equal(unmatched.first('2011', 'a99999', 'Rtd'), true);
    assert.equal(unmatched.first('2011', 'a99999', 'Rtd'), false);
    assert.equal(unmatched.first('2011', 'a99999', 'Min'), true);
    assert.equal(unmatched.first('2051', 'a99999', 'Rtd'), true);
    assert.equal(unmatched.first('2011', 'a99998', 'Rtd'), true);
    assert.equal(unmatched.first('2011', 'a99999', 'Min'), false);
  });

  it(`remember at most ${MAX_KNOWN} combinations, then start over`, () => {
    const unmatched = new UnmatchedValues();
    for (let i = 0; i < MAX_KNOWN; i++) assert.equal(unmatched.first('2011', `c${i}`, 'Rtd'), true);
    assert.equal(unmatched.first('2011', 'c0', 'Rtd'), false);
    assert.equal(unmatched.first('2011', 'new', 'Rtd'), true); // the limit: forgets all, remembers this one
    assert.equal(unmatched.first('2011', 'new', 'Rtd'), false);
    assert.equal(unmatched.first('2011', 'c0', 'Rtd'), true);
  });
});
