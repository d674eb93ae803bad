// The hot path was rewritten for speed (table CRC, in-place frame scanning, one-pass segment and
// CP readers). These tests hold it to the codec as first written, kept in support/reference/:
// the same random input must give the same output, errors and their messages included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc16Hj212 } from '@sensegate/sdk';
import {
  FrameDecoder,
  cpRecords,
  encodeFrame,
  hj212Crc,
  parseCp,
  parseSegment,
  pollutantValues,
  readCpRecords,
  type DecodeResult,
} from '@sensegate/driver-hj212/protocol';
import { referenceCpRecords, referenceParseCp, referencePollutantValues } from './support/reference/cp.js';
import { referenceCrc } from './support/reference/crc.js';
import { ReferenceFrameDecoder } from './support/reference/frame-decoder.js';
import { referenceParseSegment } from './support/reference/packet.js';
import { picker, random } from './support/random.js';

const SEED = Number(process.env.HJ212_FUZZ_SEED ?? 212);

/** What a call gave: its value, or the error's code and message. */
function outcome<T>(run: () => T): { value: T } | { error: string } {
  try {
    return { value: run() };
  } catch (err) {
    return { error: `${(err as { code?: string }).code}: ${(err as Error).message}` };
  }
}

/** A decode result as plain data, comparable with deepEqual. */
function plain(r: DecodeResult) {
  return r.ok ? { ok: true, segment: r.segment, raw: r.raw.toString('hex') } : { ok: false, code: r.error.code, message: r.error.message, excerpt: r.excerpt };
}

describe(`the fast codec gives what the reference codec gave (seed ${SEED})`, () => {
  it('CRC: the 256-entry table equals the bit-by-bit algorithm on random bytes, whole and in ranges', () => {
    const { int, bytes } = picker(random(SEED));
    assert.equal(hj212Crc('123456789'), 0x2f80);
    assert.equal(hj212Crc(''), referenceCrc(''));
    for (let n = 0; n < 2000; n++) {
      const data = bytes(int(n < 256 ? 4 : 1500));
      assert.equal(hj212Crc(data), referenceCrc(data));
      const from = int(data.length + 1);
      const to = from + int(data.length - from + 1);
      assert.equal(crc16Hj212(data, from, to), referenceCrc(data.subarray(from, to)));
    }
    // Strings are CRC'd as their UTF-8 bytes.
    assert.equal(hj212Crc('CP=&&环境=1&&'), referenceCrc(Buffer.from('CP=&&环境=1&&', 'utf8')));
  });

  it('frame decoder: the same results for the same chunks of a noisy stream, and nothing depends on a chunk once pushed', () => {
    const rnd = random(SEED);
    const { int, pick, bytes, text } = picker(rnd);
    const segment = () =>
      `QN=20240501100000${String(int(1000)).padStart(3, '0')};ST=22;CN=2011;PW=123456;MN=AIR0000000000000000000001;Flag=${pick([4, 5])};` +
      `CP=&&DataTime=20240501100000;a34004-Rtd=${int(500)},a34004-Flag=N${rnd() < 0.2 ? ';Info=监测站' : ''}&&`;
    const lowercase = (frame: Buffer) => {
      const copy = Buffer.from(frame);
      copy.write(copy.toString('latin1', copy.length - 6, copy.length - 2).toLowerCase(), copy.length - 6, 'latin1');
      return copy;
    };
    const pieces: Array<() => Buffer> = [
      () => encodeFrame(segment()),
      () => encodeFrame(segment()),
      () => lowercase(encodeFrame(segment())),
      () => bytes(1 + int(80)),
      () => Buffer.from(text('#0123456789ABC\r\n', 1 + int(12)), 'latin1'),
      () => encodeFrame(segment()).subarray(0, int(60)),
      () => {
        const f = Buffer.from(encodeFrame(segment()));
        f[int(f.length)] ^= 1 << int(8);
        return f;
      },
      () => Buffer.from(`##${String(int(10000)).padStart(4, '0')}QN=1;ST=2`, 'latin1'),
      () => {
        // A CRC digit at the edges of the hex ranges.
        const f = Buffer.from(encodeFrame(segment()));
        f[f.length - 6 + int(4)] = pick([...'/:@G`gFf09'].map((c) => c.charCodeAt(0)));
        return f;
      },
      () => encodeFrame(`ST=22;CN=2011;PW=123456;MN=A1;CP=&&${'x'.repeat(400 + int(800))}&&`),
      () => Buffer.concat([Buffer.from('##0012'), Buffer.from([0xe7, 0x8e, 0xaf, 0xff, 0xfe]), Buffer.from('1234567\r\n')]),
    ];
    for (let round = 0; round < 300; round++) {
      const stream = Buffer.concat(Array.from({ length: 1 + int(30) }, () => pick(pieces)()));
      const options = rnd() < 0.3 ? { maxFrameBytes: 256 + int(512) } : {};
      const fast = new FrameDecoder(options);
      const reference = new ReferenceFrameDecoder(options);
      for (let at = 0; at < stream.length; ) {
        const size = pick([1, 2, 7, 64, 200, 1024, 4096]);
        const chunk = Buffer.from(stream.subarray(at, at + size));
        at += size;
        // Sometimes a plain Uint8Array, as the type allows; scribbled over once pushed, as a caller reusing its buffer would.
        const given = rnd() < 0.3 ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length) : chunk;
        const results = fast.push(given);
        chunk.fill(0x23);
        const got = results.map(plain);
        const expected = reference.push(Buffer.from(stream.subarray(at - size, at))).map(plain);
        assert.deepEqual(got, expected, `round ${round}, bytes ${at - size}..${at}`);
        assert.equal(fast.buffered, reference.buffered);
      }
      assert.deepEqual(fast.end().map(plain), reference.end().map(plain));
    }
  });

  it('data segment: the same packet or the same complaint for random headers', () => {
    const rnd = random(SEED);
    const { int, pick, text } = picker(rnd);
    const fields = () => {
      const list = [
        `QN=${pick(['20240501100000123', '2024050110000012', 'yesterday', '', '20240501100000123456789'])}`,
        `ST=${pick(['22', '91', '2', 'x2', ''])}`,
        `CN=${pick(['2011', '9014', '20x1', '201'])}`,
        `PW=${pick(['123456', '', 'a=b'])}`,
        `MN=${pick(['AIR0000000000000000000001', '88888880000001', 'A_1', 'A'.repeat(33), '\u0011\u0012', ''])}`,
        `Flag=${pick(['4', '5', '7', '256', 'x', '00004'])}`,
        `PNUM=${pick(['2', '0', '10000'])}`,
        `PNO=${pick(['1', '2', '3'])}`,
        'Extra=1',
        'junk',
        '',
        '=1',
      ];
      const chosen = list.filter(() => rnd() < 0.7);
      if (rnd() < 0.2) chosen.push(pick(list)); // a key twice, or two bad fields
      return chosen.sort(() => rnd() - 0.5);
    };
    for (let n = 0; n < 5000; n++) {
      const head = fields().join(';');
      const cp = pick(['', 'DataTime=20240501100000;a34004-Rtd=1', text('a=1;,', int(10))]);
      const segment = pick([`${head};CP=&&${cp}&&`, `${head}CP=&&${cp}&&`, `${head};CP=&&${cp}`, head, `;${head};CP=&&&&`, `CP=&&${cp}&&`, `${head};;CP=&&&&`]);
      assert.deepEqual(outcome(() => parseSegment(segment)), outcome(() => referenceParseSegment(segment)), segment);
    }
  });

  it('CP: the one-pass records equal parseCp + cpRecords, flags and errors included', () => {
    const rnd = random(SEED);
    const { int, pick } = picker(rnd);
    const keys = [
      'DataTime', 'a34004-Rtd', 'a34004-Flag', 'a34004-EFlag', 'a34002-Rtd', 'a34002-Flag', 'w01018-Avg', 'w01018-Min',
      'SB1-RS', 'SB1-Info', 'a-b-Flag', 'a-b-Rtd', '-Rtd', 'a34004-', 'RtdInterval', 'x', 'DataTimeX', 'a34004-flag', 'a34004-EFlagX',
    ];
    const values = ['', '1', '35.5', 'N', 'M', 'A01', '20240501100000', 'x=y', '环境'];
    for (let n = 0; n < 5000; n++) {
      let cp = '';
      for (let i = int(14); i > 0; i--) {
        cp += rnd() < 0.03 ? pick(['oops', '=1', '']) : `${pick(keys)}=${pick(values)}`;
        if (i > 1 || rnd() < 0.2) cp += pick([';', ';', ',', ',', ';;', ',,', ';,']);
      }
      const expected = outcome(() => referenceCpRecords(referenceParseCp(cp)));
      assert.deepEqual(outcome(() => readCpRecords(cp)), expected, cp);
      assert.deepEqual(outcome(() => cpRecords(parseCp(cp))), expected, cp);
      if ('value' in expected) assert.deepEqual(pollutantValues(parseCp(cp)), referencePollutantValues(referenceParseCp(cp)), cp);
    }
  });
});
