// The PTZ head's motion on a fake clock: how far each move gets in a given time, without waiting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PRESETS, PtzHead, PtzRefusal } from '../src/onvif/ptz/head.js';

function head() {
  let now = 1000;
  const h = new PtzHead({ clock: () => now });
  return { h, advance: (ms: number) => (now += ms) };
}

describe('PtzHead', () => {
  it('moves each axis at its speed and arrives exactly', () => {
    const { h, advance } = head();
    h.absoluteMove({ pan: -0.5, zoom: 1 }, { pan: 0.5 });
    advance(500);
    assert.deepEqual(h.position(), { pan: -0.25, tilt: 0, zoom: 0.5, moving: true });
    advance(500);
    assert.deepEqual(h.status(), { position: { pan: -0.5, tilt: 0, zoom: 1 }, panTilt: 'IDLE', zoom: 'IDLE' });
  });

  it('stops only the axes asked for', () => {
    const { h, advance } = head();
    h.continuousMove({ pan: 1, tilt: 0, zoom: 0.5 });
    advance(400);
    h.stop({ panTilt: true, zoom: false });
    advance(400);
    assert.deepEqual(h.status(), { position: { pan: 0.4, tilt: 0, zoom: 0.4 }, panTilt: 'IDLE', zoom: 'MOVING' });
    advance(10_000);
    assert.deepEqual(h.position(), { pan: 0.4, tilt: 0, zoom: 1, moving: false });
  });

  it('ends a continuous move at its timeout', () => {
    const { h, advance } = head();
    h.continuousMove({ tilt: -0.5 }, 1000);
    advance(3000);
    assert.deepEqual(h.position(), { pan: 0, tilt: -0.5, zoom: 0, moving: false });
  });

  it('refuses what a camera refuses', () => {
    const { h } = head();
    const refusal = (subcode: string) => (err: unknown) => err instanceof PtzRefusal && err.subcode === subcode;
    assert.throws(() => h.absoluteMove({ zoom: -0.1 }), refusal('InvalidPosition'));
    assert.throws(() => h.absoluteMove({ pan: Number.NaN }), refusal('InvalidPosition'));
    assert.throws(() => h.relativeMove({ pan: 2.5 }), refusal('InvalidTranslation'));
    assert.throws(() => h.absoluteMove({ pan: 0 }, { pan: 2 }), refusal('InvalidSpeed'));
    assert.throws(() => h.gotoPreset('nope'), refusal('NoToken'));
    assert.throws(() => h.setPreset('x', 'nope'), refusal('NoToken'));
    assert.throws(() => h.setPreset(''), refusal('InvalidPresetName'));
    for (let i = 0; i < MAX_PRESETS; i++) h.setPreset(`p${i}`);
    assert.throws(() => h.setPreset('one more'), (err: unknown) => err instanceof PtzRefusal && err.subcode === 'TooManyPresets' && !err.sender);
  });

  it('goes home, and to a new home once set', () => {
    const { h, advance } = head();
    h.absoluteMove({ pan: 0.3, tilt: 0.3 });
    advance(1000);
    h.setHome();
    h.absoluteMove({ pan: -1 });
    advance(2000);
    h.gotoHome();
    advance(2000);
    assert.deepEqual(h.position(), { pan: 0.3, tilt: 0.3, zoom: 0, moving: false });
  });
});
