// The stream decoder against what TCP and field modems really deliver: frames cut anywhere, several
// at once, noise between them, corrupted frames, and lengths that would make it buffer too much.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, encodeKeepAlive, encodeReport, type DecodeResult } from '@sensegate/driver-sl651/protocol';

const id = { station: '0012345678', password: '1234', centre: 1 };
const time = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 };
const report = (serial: number) =>
  encodeReport(id, 0x32, { serial, sendTime: time, category: 0x48, observed: time, elements: [{ id: '39', value: serial / 100 }] })[0]!;

const summary = (results: DecodeResult[]) => results.map((r) => (r.ok ? `frame ${r.frame.functionCode.toString(16)}` : r.error.status));

describe('frame decoder', () => {
  it('reassembles a frame fed one byte at a time', () => {
    const decoder = new FrameDecoder();
    const frame = report(1);
    const results: DecodeResult[] = [];
    for (const byte of frame) results.push(...decoder.push(Buffer.of(byte)));
    assert.deepEqual(summary(results), ['frame 32']);
    assert.equal(decoder.buffered, 0);
  });

  it('decodes several frames from one chunk and a frame cut across chunks', () => {
    const decoder = new FrameDecoder();
    const all = Buffer.concat([report(1), encodeKeepAlive(id, 2, time), report(3)]);
    const cut = all.length - 7;
    assert.deepEqual(summary(decoder.push(all.subarray(0, cut))), ['frame 32', 'frame 2f']);
    assert.deepEqual(summary(decoder.push(all.subarray(cut))), ['frame 32']);
  });

  it('skips garbage between frames, once per run, and resynchronises on 7E 7E', () => {
    const decoder = new FrameDecoder();
    const results = decoder.push(Buffer.concat([Buffer.from('hello\r\n'), report(1), Buffer.from('0102037e', 'hex'), report(2), Buffer.from([0x7e])]));
    assert.deepEqual(summary(results), ['sl651:garbage', 'frame 32', 'sl651:garbage', 'frame 32']);
    const garbage = results[0]!;
    assert.ok(!garbage.ok);
    assert.equal(garbage.error.code, 'SG_PROTOCOL_ERROR');
    assert.equal(garbage.excerpt, '68 65 6C 6C 6F 0D 0A');
    assert.equal(decoder.buffered, 1, 'a trailing 7E waits for the next byte');
  });

  it('refuses a frame with a bad CRC and accepts the next one', () => {
    const bad = Buffer.from(report(1));
    bad[bad.length - 1]! ^= 0xff;
    const results = new FrameDecoder().push(Buffer.concat([bad, report(2)]));
    assert.deepEqual(summary(results), ['sl651:bad-crc', 'frame 32']);
    // The excerpt names the frame, but never the password (bytes 8 and 9) it may carry.
    assert.ok(!results[0]!.ok && results[0]!.excerpt.startsWith('7E 7E 01 00 12 34 56 78 ** ** 32'));
  });

  it('refuses a corrupted start character, direction or end byte, and finds the frame after them', () => {
    const badStart = Buffer.from(report(1));
    badStart[13] = 0x99;
    const badDirection = Buffer.from(report(2));
    badDirection[11] = 0x40;
    const badEnd = Buffer.from(report(3));
    badEnd[badEnd.length - 3] = 0x99;
    const statuses = (...frames: Buffer[]) => summary(new FrameDecoder().push(Buffer.concat([...frames, report(9)])));
    assert.deepEqual(statuses(badStart), ['sl651:bad-start', 'frame 32']);
    assert.deepEqual(statuses(badDirection), ['sl651:bad-direction', 'frame 32']);
    assert.deepEqual(statuses(badEnd), ['sl651:bad-end', 'frame 32']);
    // back to back, they are one corrupted stretch: one error, named after its first fault
    assert.deepEqual(statuses(badStart, badDirection, badEnd), ['sl651:bad-start', 'frame 32']);
  });

  it('refuses an oversized length without waiting for its bytes', () => {
    const decoder = new FrameDecoder({ maxBodyLength: 100 });
    const big = encodeReport(id, 0x32, { serial: 1, sendTime: time, category: 0x48, observed: time, elements: Array.from({ length: 30 }, () => ({ id: '39', value: 1 })) })[0]!;
    const results = decoder.push(Buffer.concat([big.subarray(0, 20), report(2)]));
    assert.deepEqual(summary(results).filter((s) => s !== 'sl651:garbage'), ['sl651:oversized', 'frame 32']);
  });

  it('names an ASCII-mode frame for what it is', () => {
    const results = new FrameDecoder().push(Buffer.concat([Buffer.from('\x0101001234567812342F', 'latin1'), report(1)]));
    assert.deepEqual(summary(results), ['sl651:ascii-mode', 'frame 32']);
    assert.ok(!results[0]!.ok && /only HEX\/BCD mode is supported/.test(results[0]!.error.message));
  });
});
