/** The timed report every benchmark station sends: rain, cumulative rain, water level and battery. */
import { encodeReport, epochToStationTime, FUNCTION } from '../src/protocol/index.js';
import { PASSWORD } from './fleet-ids.js';

export function timedReport(station: string, serial: number, at: number): Buffer {
  const time = epochToStationTime(at, 'Asia/Shanghai');
  const [frame] = encodeReport({ station, password: PASSWORD, centre: 1 }, FUNCTION.timed, {
    serial: serial & 0xffff,
    sendTime: time,
    category: 0x48,
    observed: { ...time, second: 0 },
    elements: [
      { id: '20', value: (serial % 50) / 10 },
      { id: '26', value: 1234.5 + serial / 10 },
      { id: '39', value: 2.345 + (serial % 100) / 1000 },
      { id: '38', value: 12.61 },
    ],
  });
  return frame!;
}
