// Round trips through the encoders and the decoders: every value the simulator can send comes back
// as it was, including negatives, missing values, 5-minute series and extended identifiers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  END,
  FrameDecoder,
  decodeBody,
  decodeNumber,
  encodeNumber,
  encodePackets,
  encodeReport,
  encodeReportBody,
  epochToStationTime,
  resolveElement,
  stationTimeToEpoch,
  type StationTime,
} from '@sensegate/driver-sl651/protocol';

const id = { station: '0012345678', password: '1234', centre: 1 };
const sendTime: StationTime = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 12 };
const observed: StationTime = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 };

function only<T>(items: T[]): T {
  assert.equal(items.length, 1);
  return items[0]!;
}

describe('element values', () => {
  it('encodes negatives with an FF sign byte and decodes them back', () => {
    const below = encodeNumber(-1.234, 4, 3);
    assert.equal(below.definition, 0x2b); // 5 bytes (4 + sign), 3 decimals
    assert.deepEqual(below.bytes, Buffer.from('FF00001234', 'hex'));
    assert.deepEqual(decodeNumber(below.bytes, 3), { kind: 'value', value: -1.234 });
    // a station that puts the sign inside the standard size decodes the same way
    assert.deepEqual(decodeNumber(Buffer.from('FF001234', 'hex'), 3), { kind: 'value', value: -1.234 });
  });

  it('reads all FF as no data and non-BCD as invalid', () => {
    assert.deepEqual(decodeNumber(Buffer.from('FFFFFF', 'hex'), 1), { kind: 'no-data' });
    assert.deepEqual(decodeNumber(Buffer.from('AAAA', 'hex'), 2), { kind: 'invalid' });
    assert.deepEqual(decodeNumber(Buffer.from('0012345A', 'hex'), 3), { kind: 'invalid' });
  });

  it('keeps decimals exact', () => {
    assert.deepEqual(decodeNumber(Buffer.from('000000000123', 'hex'), 5), { kind: 'value', value: 0.00123 });
    assert.deepEqual(decodeNumber(Buffer.from('1115', 'hex'), 2), { kind: 'value', value: 11.15 });
    assert.deepEqual(encodeNumber(11.15, 2, 2).bytes, Buffer.from('1115', 'hex'));
    assert.throws(() => encodeNumber(1000, 2, 2), /does not fit/);
  });

  it('resolves aliases and hex identifiers, refusing guides', () => {
    assert.equal(resolveElement('waterLevel'), '39');
    assert.equal(resolveElement('rain.total'), '26');
    assert.equal(resolveElement('levelUpstream'), '3B');
    assert.equal(resolveElement('levelDownstream'), '3A');
    assert.equal(resolveElement('ff38'), 'FF38');
    assert.equal(resolveElement('f4'), 'F4');
    assert.equal(resolveElement('F0'), undefined);
    assert.equal(resolveElement('nonsense'), undefined);
  });
});

describe('report round trip', () => {
  it('carries numbers, a negative level, a missing value, series and an extended element', () => {
    const [bytes] = encodeReport(id, 0x34, {
      serial: 77,
      sendTime,
      category: 0x48,
      observed,
      elements: [
        { id: '20', value: 1.5 },
        { id: '26', value: 1234.5 },
        { id: '39', value: -0.25 },
        { id: '38', value: null },
        { id: 'F4', values: [0, 0.5, 1, 25.4, null, 0, 0, 0, 0, 0, 0, 0.1] },
        { id: 'F5', values: [2.31, 2.32, 2.33, 2.34, 2.35, 2.36, 2.37, 2.38, 2.39, 2.4, null, 655.34] },
        { id: 'FF38', value: 3.6, size: 2, decimals: 1 },
      ],
    });
    const result = only(new FrameDecoder().push(bytes!));
    assert.ok(result.ok);
    const body = decodeBody(result.frame.functionCode, result.frame.body);
    assert.equal(body.stopped, undefined);
    assert.equal(body.serial, 77);
    assert.deepEqual(body.sendTime, sendTime);
    const byId = new Map(body.elements.map((e) => [e.id, e]));
    assert.deepEqual(byId.get('20')!.samples, [{ offsetMinutes: 0, value: { kind: 'value', value: 1.5 } }]);
    assert.deepEqual(byId.get('26')!.samples[0]!.value, { kind: 'value', value: 1234.5 });
    assert.deepEqual(byId.get('39')!.samples[0]!.value, { kind: 'value', value: -0.25 });
    assert.deepEqual(byId.get('38')!.samples[0]!.value, { kind: 'no-data' });
    assert.deepEqual(byId.get('FF38')!.samples[0]!.value, { kind: 'value', value: 3.6 });
    const rain = byId.get('F4')!.samples;
    assert.equal(rain.length, 12);
    assert.deepEqual(rain.map((s) => s.offsetMinutes), [-55, -50, -45, -40, -35, -30, -25, -20, -15, -10, -5, 0]);
    assert.deepEqual(rain.map((s) => (s.value.kind === 'value' ? s.value.value : s.value.kind)), [0, 0.5, 1, 25.4, 'no-data', 0, 0, 0, 0, 0, 0, 0.1]);
    const level = byId.get('F5')!.samples;
    assert.deepEqual(level.map((s) => (s.value.kind === 'value' ? s.value.value : s.value.kind)), [2.31, 2.32, 2.33, 2.34, 2.35, 2.36, 2.37, 2.38, 2.39, 2.4, 'no-data', 655.34]);
  });

  it('decodes an equal-interval report (31): one element, one value per time step', () => {
    const body = encodeReportBody({ serial: 1, sendTime, station: id.station, category: 0x48, observed, step: 15, elements: [{ id: '39', values: [1.1, 1.2, null, 1.4] }] });
    const decoded = decodeBody(0x31, body);
    assert.equal(decoded.stopped, undefined);
    const level = only(decoded.elements);
    assert.deepEqual(level.samples.map((s) => [s.offsetMinutes, s.value.kind === 'value' ? s.value.value : s.value.kind]), [
      [0, 1.1],
      [15, 1.2],
      [30, 'no-data'],
      [45, 1.4],
    ]);
  });

  it('reports where it stopped and keeps the values before', () => {
    const body = encodeReportBody({ serial: 1, sendTime, station: id.station, category: 0x50, observed, elements: [{ id: '20', value: 2 }] });
    const decoded = decodeBody(0x32, Buffer.concat([body, Buffer.from('F3F3FFD8FFE0', 'hex')]));
    assert.deepEqual(decoded.elements.map((e) => e.id), ['20']);
    assert.match(decoded.stopped!.reason, /image data \(F3\)/);
    const truncated = decodeBody(0x32, Buffer.concat([body, Buffer.from('3923000012', 'hex')]));
    assert.match(truncated.stopped!.reason, /element 39 needs 4 bytes, 3 left/);
  });

  it('splits a report into SYN packets that concatenate back to the body', () => {
    const body = encodeReportBody({ serial: 9, sendTime, station: id.station, category: 0x48, observed, elements: [{ id: '39', value: 3.21 }, { id: '26', value: 88.8 }] });
    const packets = encodePackets({ ...id, direction: 'up', functionCode: 0x32, body }, 10);
    const results = new FrameDecoder().push(Buffer.concat(packets));
    assert.equal(results.length, Math.ceil(body.length / 10));
    const frames = results.map((r) => (r.ok ? r.frame : assert.fail(`${r.ok || r.error.message}`)));
    assert.deepEqual(frames.map((f) => f.packet), frames.map((_, i) => ({ total: frames.length, sequence: i + 1 })));
    assert.deepEqual(frames.map((f) => f.end), [...frames.slice(1).map(() => END.ETB), END.ETX]);
    assert.deepEqual(Buffer.concat(frames.map((f) => f.body)), body);
  });
});

describe('station time', () => {
  it('reads Beijing wall-clock times as instants, and back', () => {
    const t = { year: 2025, month: 1, day: 1, hour: 8, minute: 0, second: 0 };
    assert.equal(stationTimeToEpoch(t, 'Asia/Shanghai'), Date.UTC(2025, 0, 1, 0, 0, 0));
    assert.equal(stationTimeToEpoch(t, '+08:00'), Date.UTC(2025, 0, 1, 0, 0, 0));
    assert.equal(stationTimeToEpoch(t, 'UTC'), Date.UTC(2025, 0, 1, 8, 0, 0));
    assert.deepEqual(epochToStationTime(Date.UTC(2024, 11, 31, 23, 59, 30), 'Asia/Shanghai'), { year: 2025, month: 1, day: 1, hour: 7, minute: 59, second: 30 });
    // a zone with daylight saving time
    assert.equal(stationTimeToEpoch({ year: 2025, month: 7, day: 1, hour: 12, minute: 0, second: 0 }, 'Europe/Berlin'), Date.UTC(2025, 6, 1, 10, 0, 0));
  });

  it('gets every minute right around a daylight-saving change, however often it is asked', () => {
    // Berlin went from +01:00 to +02:00 at 2025-03-30 01:00 UTC; every instant from 00:50 to 01:10
    // UTC, asked twice (the second answer comes from the offset cache), converts both ways.
    for (let pass = 0; pass < 2; pass++) {
      for (let minute = 50; minute < 70; minute++) {
        const instant = Date.UTC(2025, 2, 30, 0, minute, 0);
        const offset = instant < Date.UTC(2025, 2, 30, 1, 0, 0) ? 1 : 2;
        const wall = new Date(instant + offset * 3_600_000);
        const time = epochToStationTime(instant, 'Europe/Berlin');
        assert.deepEqual([time.hour, time.minute], [wall.getUTCHours(), wall.getUTCMinutes()], `at ${new Date(instant).toISOString()}`);
        assert.equal(stationTimeToEpoch(time, 'Europe/Berlin'), instant);
      }
    }
  });
});
