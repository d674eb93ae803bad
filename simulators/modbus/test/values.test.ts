// Values move the way the profile says, and a value a client writes (or a test pins) stays put.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ModbusRTU } from './support/modbus-client.js';
import { loadProfile, startModbusSimulator } from '../src/index.js';
import { compileGenerator } from '@sensegate/sdk/simulate';
import { waitFor } from '@sensegate/sdk/testing';

const MOVING = fileURLToPath(new URL('./fixtures/moving.yaml', import.meta.url));

async function started(t: { after(fn: () => Promise<void>): void }, options: { seed?: number; tick?: number } = {}) {
  const sim = await startModbusSimulator({ port: 0, tick: options.tick ?? 20, ...options, units: [{ unitId: 1, profile: loadProfile(MOVING) }] });
  t.after(() => sim.close());
  return sim;
}

/** Collects `n` distinct successive values of a point. */
async function distinctValues(read: () => unknown, n: number): Promise<unknown[]> {
  const seen: unknown[] = [read()];
  await waitFor(`${n} distinct values`, () => {
    const v = read();
    if (v !== seen[seen.length - 1]) seen.push(v);
    return seen.length >= n;
  });
  return seen;
}

describe('moving values', () => {
  it('a sine stays between min and max and covers both halves', async (t) => {
    const sim = await started(t);
    const seen = (await distinctValues(() => sim.value(1, 'ph'), 40)) as number[];
    assert.ok(seen.every((v) => v >= 6.8 && v <= 7.6), `all within 6.8..7.6: ${seen.join(' ')}`);
    await waitFor('a value above the midpoint', () => (sim.value(1, 'ph') as number) > 7.3);
    await waitFor('a value below the midpoint', () => (sim.value(1, 'ph') as number) < 7.1);
  });

  it('a ramp rises from `from` toward `to` and starts again', async (t) => {
    const sim = await started(t);
    const seen = (await distinctValues(() => sim.value(1, 'flow'), 30)) as number[];
    assert.ok(seen.every((v) => v >= 0 && v < 120));
    const drops = seen.filter((v, i) => i > 0 && v < seen[i - 1]!).length;
    const rises = seen.filter((v, i) => i > 0 && v > seen[i - 1]!).length;
    assert.ok(rises > drops, `mostly rising (${rises} rises, ${drops} restarts)`);
  });

  it('a counter totals step per interval', async (t) => {
    const sim = await started(t);
    const seen = (await distinctValues(() => sim.value(1, 'energy'), 5)) as number[];
    assert.ok(seen.every((v) => (v - 10) % 5 === 0 && v >= 10), `10 + 5n: ${seen.join(' ')}`);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'never decreases');
  });

  it('a random walk stays within its bounds', async (t) => {
    const sim = await started(t);
    const seen = (await distinctValues(() => sim.value(1, 'temperature'), 20)) as number[];
    assert.ok(seen.every((v) => v >= 17 && v <= 19), seen.join(' '));
  });

  it('a random walk with a seed repeats exactly', () => {
    const spec = { kind: 'randomWalk' as const, start: 50, step: 2, min: 0, max: 100 };
    const walk = (seed: number) => {
      const g = compileGenerator(spec, seed, 100);
      return Array.from({ length: 50 }, (_, i) => g.at(i * 100));
    };
    assert.deepEqual(walk(7), walk(7));
    assert.notDeepEqual(walk(7), walk(8));
    // The walk depends on elapsed time, not on when ticks happened to run.
    const late = compileGenerator(spec, 7, 100);
    assert.equal(late.at(4900), walk(7)[49]);
  });

  it('csv replay serves the column row by row, and booleans to coils', async (t) => {
    const sim = await started(t);
    const levels = new Set<unknown>();
    const pumps = new Set<unknown>();
    await waitFor('every row of level.csv', () => {
      levels.add(sim.value(1, 'level'));
      pumps.add(sim.value(1, 'pump'));
      return levels.size === 3 && pumps.size === 2;
    });
    assert.deepEqual([...levels].sort(), [11, 22, 33]);
  });

  it('a pinned value stays while the others keep moving, until released', async (t) => {
    const sim = await started(t);
    sim.set(1, 'flow', 42.5);
    const energy = sim.value(1, 'energy') as number;
    await waitFor('the counter to move on', () => (sim.value(1, 'energy') as number) > energy + 10);
    assert.equal(sim.value(1, 'flow'), 42.5);
    sim.release(1, 'flow');
    await waitFor('the ramp to run again', () => sim.value(1, 'flow') !== 42.5);
    assert.throws(() => sim.set(1, 'level', 70000), { code: 'SG_WRITE_REJECTED' });
    assert.throws(() => sim.set(1, 'nope', 1), /unit 1 has no point "nope"/);
  });

  it('a setpoint a client writes is not overwritten by the generator', async (t) => {
    const sim = await started(t);
    const client = new ModbusRTU();
    t.after(() => new Promise<void>((r) => client.close(() => r())));
    await client.connectTCP('127.0.0.1', { port: sim.port });
    client.setID(1);
    await client.writeRegisters(2, [0x4248, 0x0000]); // flow = 50.0 (float32 ABCD)
    const energy = sim.value(1, 'energy') as number;
    await waitFor('the counter to move on', () => (sim.value(1, 'energy') as number) > energy + 10);
    assert.equal(sim.value(1, 'flow'), 50);
    assert.deepEqual((await client.readHoldingRegisters(2, 2)).data, [0x4248, 0x0000]);
  });
});
