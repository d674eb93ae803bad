// Frames published with SL 651-2014 walkthroughs, decoded and re-encoded byte for byte. Their CRCs
// are checked here with a separate bit-by-bit CRC-16/MODBUS, not the codec's table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc16Modbus } from '@sensegate/sdk';
import { END, FrameDecoder, decodeBody, encodeConfirmation, encodeFrame } from '@sensegate/driver-sl651/protocol';

/** CRC-16/MODBUS the slow, obvious way, to check the codec's table-driven one. */
function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

// A timed report (32) of station 0011223344 to centre 05, password 03E8, and the centre's reply.
const TIMED = hex('7E7E 05 0011223344 03E8 32 002B 02 0034 170718110016 F1F1 0011223344 48 F0F0 1707181100 2019000040 2619000040 392300010490 38121099 03 A421');
const TIMED_REPLY = hex('7E7E 0011223344 05 03E8 32 8008 02 0034 170718110016 1B E5D4');
// A test report (30) and its reply; a keep-alive (2F); a timed report of another RTU with 5-minute rainfall (22).
const TEST = hex('7E7E 01 0012345678 1234 30 002B 02 0003 591011154947 F1F1 0012345678 48 F0F0 5910111549 2019000005 2619000005 392300000127 38121115 03 20FA');
const TEST_REPLY = hex('7E7E 0012345678 01 1234 30 8008 02 0003 591011154947 1B 75D4');
const KEEP_ALIVE = hex('7E7E 01 0012345678 1234 2F 0008 02 0003 591011155111 03 6BCA');
const TIMED_2 = hex('7E7E 01 0010100001 A000 32 002B 02 000C 200724172349 F1F1 0010100001 48 F0F0 2007241723 2019000130 2219000040 392300000550 38121268 03 8397');

describe('known frames', () => {
  it('computes the CRC-16/MODBUS check value and the published CRCs', () => {
    assert.equal(crc16Modbus(Buffer.from('123456789')), 0x4b37);
    assert.equal(referenceCrc(Buffer.from('123456789')), 0x4b37);
    for (const frame of [TIMED, TIMED_REPLY, TEST, TEST_REPLY, KEEP_ALIVE, TIMED_2]) {
      const expected = frame.readUInt16BE(frame.length - 2); // high byte first
      assert.equal(referenceCrc(frame.subarray(0, -2)), expected);
      assert.equal(crc16Modbus(frame, 0, frame.length - 2), expected);
    }
  });

  it('decodes a timed report: header, station, observation time and four elements', () => {
    const [result] = new FrameDecoder().push(TIMED);
    assert.ok(result?.ok, 'the frame decodes');
    const { frame } = result;
    assert.deepEqual({ ...frame, body: undefined }, {
      direction: 'up',
      centre: 5,
      station: '0011223344',
      password: '03E8',
      functionCode: 0x32,
      body: undefined,
      end: END.ETX,
    });
    const body = decodeBody(frame.functionCode, frame.body);
    assert.equal(body.serial, 0x34);
    assert.deepEqual(body.sendTime, { year: 2017, month: 7, day: 18, hour: 11, minute: 0, second: 16 });
    assert.equal(body.station, '0011223344');
    assert.equal(body.category, 0x48); // H: river station
    assert.deepEqual(body.observed, { year: 2017, month: 7, day: 18, hour: 11, minute: 0, second: 0 });
    assert.equal(body.stopped, undefined);
    const values = Object.fromEntries(body.elements.map((e) => [e.id, e.samples[0]!.value]));
    assert.deepEqual(values, {
      '20': { kind: 'value', value: 4 }, // current rainfall, mm
      '26': { kind: 'value', value: 4 }, // cumulative rainfall, mm
      '39': { kind: 'value', value: 10.49 }, // water level, m
      '38': { kind: 'value', value: 10.99 }, // supply voltage, V
    });
  });

  it('decodes the test report, the keep-alive and a report with 5-minute rainfall', () => {
    const results = new FrameDecoder().push(Buffer.concat([TEST, KEEP_ALIVE, TIMED_2]));
    assert.deepEqual(results.map((r) => r.ok && r.frame.functionCode), [0x30, 0x2f, 0x32]);
    const [test, keepAlive, timed] = results.map((r) => (r.ok ? decodeBody(r.frame.functionCode, r.frame.body) : undefined));
    assert.deepEqual(test!.elements.map((e) => [e.id, e.samples[0]!.value]), [
      ['20', { kind: 'value', value: 0.5 }],
      ['26', { kind: 'value', value: 0.5 }],
      ['39', { kind: 'value', value: 0.127 }],
      ['38', { kind: 'value', value: 11.15 }],
    ]);
    assert.equal(keepAlive!.serial, 3);
    assert.deepEqual(keepAlive!.elements, []);
    assert.deepEqual(timed!.elements.map((e) => [e.id, e.samples[0]!.value]), [
      ['20', { kind: 'value', value: 13 }],
      ['22', { kind: 'value', value: 4 }],
      ['39', { kind: 'value', value: 0.55 }],
      ['38', { kind: 'value', value: 12.68 }],
    ]);
  });

  it('builds the centre\'s published confirmations byte for byte', () => {
    for (const [up, reply] of [
      [TIMED, TIMED_REPLY],
      [TEST, TEST_REPLY],
    ] as const) {
      const [result] = new FrameDecoder().push(up);
      assert.ok(result?.ok);
      const head = decodeBody(result.frame.functionCode, result.frame.body).head;
      assert.deepEqual(encodeConfirmation(result.frame, head, END.ESC), reply);
      // and the reply decodes as a downlink frame with the addresses the other way round
      const [back] = new FrameDecoder().push(reply);
      assert.ok(back?.ok);
      assert.equal(back.frame.direction, 'down');
      assert.equal(back.frame.station, result.frame.station);
      assert.equal(back.frame.centre, result.frame.centre);
    }
  });

  it('re-encodes the timed report to the same bytes', () => {
    const [result] = new FrameDecoder().push(TIMED);
    assert.ok(result?.ok);
    assert.deepEqual(encodeFrame(result.frame), TIMED);
  });
});
