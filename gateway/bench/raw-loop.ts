/**
 * The raw ceiling: the least a gateway can do with the same simulator and broker. Read 125
 * registers at a time with modbus-serial (K requests in flight), turn each register into a reading's
 * JSON text, publish batches with mqtt.js at QoS 1 within an in-flight window. No normalization
 * stages, no journal, no health. Prints `{ readingsPerSecond }` as JSON on its last line.
 * Usage: raw-loop.ts <modbus port> <units> <mqtt url> <seconds>
 */
import modbusSerial from 'modbus-serial';
import mqtt from 'mqtt';

const [portArg, unitsArg, url, secondsArg] = process.argv.slice(2);
const port = Number(portArg);
const units = Number(unitsArg);
const seconds = Number(secondsArg);
const REGISTERS = 2000;
const BATCH = 500;
const WINDOW = 16;
const IN_FLIGHT_READS = 8;

// modbus-serial is CommonJS; under NodeNext its class is the default export's `default`.
const client = new modbusSerial.default();
await client.connectTCP('127.0.0.1', { port });
client.setTimeout(2000);
const broker = await mqtt.connectAsync(url!, { clean: true, queueQoSZero: false });

let pending: string[] = [];
let inFlight = 0;
let published = 0;
let stop = false;
let seq = 1;
const waiting: Array<() => void> = [];

function publish(): void {
  const readings = pending;
  pending = [];
  inFlight++;
  const payload = `{"v":1,"gateway":"raw","seq":${seq},"historical":false,"sent":${Date.now()},"readings":[${readings.join(',')}]}`;
  seq += readings.length;
  broker.publish('sensegate/v1/raw/data', payload, { qos: 1 }, () => {
    inFlight--;
    published += readings.length;
    waiting.shift()?.();
  });
}

async function reader(worker: number): Promise<void> {
  let unit = (worker % units) + 1;
  let address = 0;
  while (!stop) {
    const ts = Date.now();
    // modbus-serial's setID is shared state, but on TCP the unit id travels in each request.
    client.setID(unit);
    const res = await client.readHoldingRegisters(address, 125);
    for (let i = 0; i < 125; i++) {
      pending.push(`{"device":"u${unit}","point":"r${address + i}","ts":${ts},"value":${res.buffer.readUInt16BE(i * 2)},"quality":"good"}`);
      if (pending.length >= BATCH) {
        while (inFlight >= WINDOW) await new Promise<void>((r) => waiting.push(r));
        publish();
      }
    }
    address += 125;
    if (address >= REGISTERS) {
      address = 0;
      unit = (unit % units) + 1;
    }
  }
}

const started = Date.now();
const workers = Array.from({ length: IN_FLIGHT_READS }, (_, i) => reader(i));
const warmup = 3000;
await new Promise((r) => setTimeout(r, warmup));
const from = published;
const fromAt = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const rate = ((published - from) * 1000) / (Date.now() - fromAt);
stop = true;
await Promise.allSettled(workers);
client.close(() => {});
await broker.endAsync();
console.log(JSON.stringify({ readingsPerSecond: Math.round(rate), seconds: (Date.now() - started) / 1000 }));
