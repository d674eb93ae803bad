/**
 * The raw limit: how many packets per second one core decodes with the codec alone, as the driver
 * runs it for each upload (frame decoder in 1 KiB reads, data segment, CP records, DataTime), with
 * no sockets and nothing published. Run in a fresh process (by bench/stations.ts, after the fleet
 * has stopped), so that neither the driver's heap nor the fleet weighs on it.
 * Usage: fork with tsx, argv: <seconds> <stations> <password> <code,code,...>; it sends { packetsPerSecond }.
 */
import { encodeFrame, FrameDecoder, formatDataTime, formatQn, formatSegment, parseDataTime, parseSegment, readCpRecords } from '../src/protocol/index.js';
import { mnOf } from './fleet-ids.js';

export function rawLimit(seconds: number, stations: number, password: string, codes: readonly string[]): number {
  const frames: Buffer[] = [];
  for (let n = 0; n < 2000; n++) {
    const ts = Date.now() + n;
    const cp = `DataTime=${formatDataTime(ts)};` + codes.map((code, i) => `${code}-Rtd=${(20 + i + (n % 7)).toFixed(1)},${code}-Flag=N`).join(';');
    frames.push(encodeFrame(formatSegment({ qn: formatQn(ts), st: '22', cn: '2011', pw: password, mn: mnOf(n % stations), flag: 4, cp })));
  }
  const chunk = Buffer.concat(frames);
  const decoder = new FrameDecoder();
  let packets = 0;
  let sink = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    // 1 KiB reads, as a socket delivers them.
    for (let at = 0; at < chunk.length; at += 1024) {
      for (const result of decoder.push(chunk.subarray(at, at + 1024))) {
        if (!result.ok) continue;
        const packet = parseSegment(result.segment);
        for (const record of readCpRecords(packet.cp)) {
          if (record.dataTime !== undefined) sink += parseDataTime(record.dataTime) & 1;
          for (const v of record.values) sink += Number(v.value);
        }
        packets++;
      }
    }
  }
  if (sink === 0) throw new Error('nothing decoded');
  return packets / ((performance.now() - started) / 1000);
}

if (process.send) {
  const [seconds, stations, password, codes] = process.argv.slice(2);
  process.send({ packetsPerSecond: rawLimit(Number(seconds), Number(stations), password!, codes!.split(',')) }, () => process.exit(0));
}
