// Errors are recognized by a brand, so an error from another copy of the SDK (a vendor's driver
// package installs its own) keeps its code; gateway/test/vendor-sdk-copy.test.ts tries a real copy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSensegateError, SensegateError, toSensegateError } from '../src/index.js';

/** What an error made by another copy of the SDK looks like to this one: same brand, another class. */
function fromAnotherCopy(): Error {
  const err = new Error('the meter refused the connection');
  Object.defineProperty(err, Symbol.for('sensegate.error'), { value: true });
  Object.assign(err, { code: 'SG_CONNECT_REFUSED', retryable: true, withContext: () => err });
  return err;
}

describe('SensegateError across copies of the SDK', () => {
  it('recognizes an error from another copy by its brand, and keeps it as it is', () => {
    const foreign = fromAnotherCopy();
    assert.ok(foreign instanceof SensegateError);
    assert.ok(isSensegateError(foreign));
    assert.equal(toSensegateError(foreign).code, 'SG_CONNECT_REFUSED');
  });

  it('does not take a plain error with a code for one', () => {
    const plain = Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.ok(!(plain instanceof SensegateError));
    assert.equal(toSensegateError(plain).code, 'SG_DRIVER_FAILURE');
  });

  it('keeps the ordinary check for subclasses', () => {
    class ConfigProblem extends SensegateError {}
    assert.ok(new ConfigProblem('SG_CONFIG_INVALID', 'x') instanceof ConfigProblem);
    assert.ok(new ConfigProblem('SG_CONFIG_INVALID', 'x') instanceof SensegateError);
    assert.ok(!(new SensegateError('SG_CONFIG_INVALID', 'x') instanceof ConfigProblem));
  });
});
