// A driver's files live in one folder per driver under the gateway's data folder, whoever asks:
// the gateway when it creates the driver, or a tool acting for that gateway.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { driverDataDir } from '../src/index.js';

describe('a driver\'s data folder', () => {
  it('is drivers/<name> under the gateway\'s data folder', () => {
    assert.equal(driverDataDir('/var/lib/sensegate/site-1', 'opcua'), join('/var/lib/sensegate/site-1', 'drivers', 'opcua'));
  });

  it('is one folder for a scoped package name, never a path into another', () => {
    assert.equal(driverDataDir('/data', '@acme/meter'), join('/data', 'drivers', '_acme_meter'));
    assert.equal(driverDataDir('/data', '@acme/meter').split('/').length, '/data/drivers/x'.split('/').length);
  });
});
