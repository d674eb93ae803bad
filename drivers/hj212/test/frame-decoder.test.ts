import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, encodeFrame, type DecodeResult } from '@sensegate/driver-hj212/protocol';

const seg = (n: number) => `QN=2024010112000000${n};ST=22;CN=2011;PW=123456;MN=AIR0000000000000000000001;Flag=4;CP=&&DataTime=20240101120000;a34004-Rtd=${n}.5,a34004-Flag=N&&`;
const frame = (n: number) => encodeFrame(seg(n));
const good = (results: DecodeResult[]) => results.filter((r) => r.ok).map((r) => (r.ok ? r.segment : ''));
const bad = (results: DecodeResult[]) => results.filter((r): r is Extract<DecodeResult, { ok: false }> => !r.ok);

describe('FrameDecoder', () => {
  it('joins a frame split across chunks, and one byte at a time', () => {
    const bytes = frame(1);
    const d = new FrameDecoder();
    assert.deepEqual(d.push(bytes.subarray(0, 10)), []);
    assert.deepEqual(good(d.push(bytes.subarray(10))), [seg(1)]);
    const out: DecodeResult[] = [];
    for (const b of Buffer.concat([frame(2), frame(3)])) out.push(...d.push(Buffer.from([b])));
    assert.deepEqual(good(out), [seg(2), seg(3)]);
    assert.equal(bad(out).length, 0);
    assert.equal(d.buffered, 0);
  });

  it('splits several frames in one chunk', () => {
    const results = new FrameDecoder().push(Buffer.concat([frame(1), frame(2), frame(3)]));
    assert.deepEqual(good(results), [seg(1), seg(2), seg(3)]);
    assert.equal(results.length, 3);
  });

  it('skips garbage before and between frames, reporting each run once with an excerpt', () => {
    const d = new FrameDecoder();
    const results = d.push(Buffer.concat([Buffer.from('AT+OK\r\n\x00\xff', 'latin1'), frame(1), Buffer.from('noise#'), frame(2)]));
    assert.deepEqual(good(results), [seg(1), seg(2)]);
    const errors = bad(results);
    assert.equal(errors.length, 2);
    assert.equal(errors[0]!.error.code, 'SG_PROTOCOL_ERROR');
    assert.equal(errors[0]!.excerpt, 'AT+OK\\r\\n\\x00\\xff');
    assert.equal(errors[1]!.excerpt, 'noise#');
  });

  it('resyncs on the next `##` after bad length digits', () => {
    const results = new FrameDecoder().push(Buffer.concat([Buffer.from('##12a4junk'), frame(1), Buffer.from('#'), frame(2)]));
    assert.deepEqual(good(results), [seg(1), seg(2)]);
    assert.match(bad(results)[0]!.error.message, /length digits/);
  });

  it('finds the frame when the length digits lie', () => {
    // `##0050` announces 50 bytes, but a real frame starts inside them.
    const results = new FrameDecoder().push(Buffer.concat([Buffer.from('##0050abc'), frame(1), frame(2)]));
    assert.deepEqual(good(results), [seg(1), seg(2)]);
    assert.match(bad(results)[0]!.error.message, /CR LF/);
  });

  it('refuses a frame with a wrong CRC and decodes the next one', () => {
    const broken = Buffer.from(frame(1));
    broken[20] = 'X'.charCodeAt(0);
    const results = new FrameDecoder().push(Buffer.concat([broken, frame(2)]));
    assert.deepEqual(good(results), [seg(2)]);
    const [error] = bad(results);
    assert.match(error!.error.message, /CRC mismatch/);
    assert.ok(error!.excerpt.startsWith('##'));
  });

  it('refuses a CRC that is not hex', () => {
    const text = frame(1).toString('latin1').replace(/[0-9A-F]{4}\r\n$/, 'ZZZZ\r\n');
    const results = new FrameDecoder().push(Buffer.from(text, 'latin1'));
    assert.match(bad(results)[0]!.error.message, /not four hex digits/);
  });

  it('accepts a CRC in lowercase hex', () => {
    const text = frame(1).toString('latin1');
    const lower = text.slice(0, -6) + text.slice(-6, -2).toLowerCase() + '\r\n';
    assert.notEqual(lower, text);
    assert.deepEqual(good(new FrameDecoder().push(Buffer.from(lower, 'latin1'))), [seg(1)]);
  });

  it('refuses an oversized frame without buffering it, then decodes the next frame', () => {
    const d = new FrameDecoder({ maxFrameBytes: 1024 });
    const big = encodeFrame(`ST=22;CN=2011;PW=123456;MN=A1;CP=&&${'x'.repeat(2000)}&&`);
    const out: DecodeResult[] = [];
    for (let i = 0; i < big.length; i += 100) {
      out.push(...d.push(big.subarray(i, i + 100)));
      assert.ok(d.buffered <= 1024 + 12, `buffered ${d.buffered}`);
    }
    out.push(...d.push(frame(1)));
    assert.deepEqual(good(out), [seg(1)]);
    assert.match(bad(out)[0]!.error.message, /frame of 2\d\d\d bytes refused: the limit is 1024/);
  });

  it('reports endless junk while it lasts, holding almost nothing', () => {
    const d = new FrameDecoder({ maxFrameBytes: 1024 });
    const out: DecodeResult[] = [];
    for (let i = 0; i < 100; i++) out.push(...d.push(Buffer.alloc(100, 0x41)));
    assert.ok(bad(out).length >= 9, `only ${bad(out).length} reports for 10 kB of junk`);
    assert.equal(d.buffered, 0);
  });

  it('keeps a trailing `#` as the possible start of a frame', () => {
    const d = new FrameDecoder();
    const bytes = frame(1);
    const first = d.push(Buffer.concat([Buffer.from('zz'), bytes.subarray(0, 1)]));
    assert.equal(good(first).length, 0);
    assert.deepEqual(good(d.push(bytes.subarray(1))), [seg(1)]);
  });

  it('reports a frame cut short at the end of the stream', () => {
    const d = new FrameDecoder();
    d.push(frame(1).subarray(0, 30));
    const [error] = bad(d.end());
    assert.match(error!.error.message, /ended in the middle of a frame/);
    assert.equal(d.buffered, 0);
  });
});
