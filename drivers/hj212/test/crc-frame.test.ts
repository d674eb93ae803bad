import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, encodeFrame, formatCrc, hj212Crc, parseSegment } from '@sensegate/driver-hj212/protocol';

// The example of HJ 212-2017 (set the real-time interval). The standard's prose prints its CRC as
// 1C08; the value that the algorithm gives, and that loggers send, is 1C80.
const STANDARD_SEGMENT = 'QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&';
const STANDARD_FRAME = `##0101${STANDARD_SEGMENT}1C80\r\n`;

describe('HJ 212 CRC and frame', () => {
  it('has the check value 0x2F80 for "123456789" (not CRC-16/MODBUS, which gives 0x4B37)', () => {
    assert.equal(hj212Crc('123456789'), 0x2f80);
    assert.equal(hj212Crc(Buffer.from('123456789')), 0x2f80);
  });

  it('gives 1C80 for the standard\'s example packet', () => {
    assert.equal(hj212Crc(STANDARD_SEGMENT), 0x1c80);
    assert.equal(formatCrc(0x1c80), '1C80');
    assert.equal(formatCrc(0x0a), '000A');
  });

  it('encodes the standard\'s example frame byte for byte', () => {
    assert.equal(encodeFrame(STANDARD_SEGMENT).toString('latin1'), STANDARD_FRAME);
  });

  it('decodes the standard\'s example frame into its packet', () => {
    const [result] = new FrameDecoder().push(Buffer.from(STANDARD_FRAME, 'latin1'));
    assert.ok(result?.ok);
    assert.equal(result.segment, STANDARD_SEGMENT);
    assert.deepEqual(parseSegment(result.segment), {
      qn: '20160801085857223',
      st: '32',
      cn: '1062',
      pw: '100000',
      mn: '010000A8900016F000169DC0',
      flag: 5,
      cp: 'RtdInterval=30',
    });
  });

  it('refuses a segment longer than the four length digits allow', () => {
    assert.throws(() => encodeFrame('x'.repeat(10_000)), { code: 'SG_PROTOCOL_ERROR' });
  });
});
