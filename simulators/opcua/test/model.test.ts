// The plant's physics without a server: reproducible with a seed, plausible over hours of plant
// time, and the process side can stop a pump or hold a trip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaterPlant } from '../src/plant/model.js';

const setpoints = (overrides: Record<string, number> = {}) => {
  const values = new Map<string, number>([...WaterPlant.setpointDefaults(3), ...Object.entries(overrides)]);
  return (id: string) => values.get(id);
};

function run(seed: number, steps: number, dt = 0.5): Array<Record<string, number | boolean>> {
  const plant = new WaterPlant(3, seed);
  const read = setpoints();
  const out = [];
  for (let i = 0; i < steps; i++) {
    plant.step(dt, read);
    out.push(Object.fromEntries(plant.measurements()));
  }
  return out;
}

describe('the plant model', () => {
  it('gives the same values for the same seed, and other values for another', () => {
    assert.deepEqual(run(42, 200), run(42, 200));
    assert.notDeepEqual(run(42, 200), run(43, 200));
  });

  it('stays plausible over four hours of plant time, and a running pump trips now and then and restarts', () => {
    const history = run(5, 4 * 7200);
    let trips = 0;
    history.forEach((m, i) => {
      assert.ok((m['Tank1.Level'] as number) > 0.5 && (m['Tank1.Level'] as number) < 5, `Tank1.Level ${m['Tank1.Level']} at step ${i}`);
      assert.ok((m['Tank2.Level'] as number) > 0.5 && (m['Tank2.Level'] as number) < 6, `Tank2.Level ${m['Tank2.Level']} at step ${i}`);
      assert.ok((m['Turbidity'] as number) > 0 && (m['Chlorine.Residual'] as number) > 0.4);
      for (const n of [1, 2]) {
        if (m[`Pump${n}.Fault`]) {
          assert.equal(m[`Pump${n}.Running`], false);
          assert.equal(m[`Pump${n}.Current`], 0);
          if (!history[i - 1]![`Pump${n}.Fault`]) trips++;
        }
      }
      assert.equal(m['Pump3.Running'], false, 'the standby pump stays off');
    });
    assert.ok(trips >= 1 && trips <= 12, `${trips} trips in four hours`);
    assert.equal(history.at(-1)!['Pump1.Fault'] || history.at(-1)!['Pump1.Running'], true, 'a tripped pump restarts');
  });

  it('takes process-side changes: a pump stopped at its panel, a trip held until reset', () => {
    const plant = new WaterPlant(3, 1);
    const read = setpoints();
    assert.deepEqual(plant.set('Pump1.Running', false), ['Pump1.Running', 'Pump1.Speed', 'Pump1.Current', 'Pump1.Fault']);
    for (let i = 0; i < 20; i++) plant.step(0.5, read);
    assert.equal(plant.measurements().get('Pump1.Speed'), 0);
    assert.equal(plant.measurements().get('Pump1.Running'), false);

    plant.set('Pump2.Fault', true);
    for (let i = 0; i < 1000; i++) plant.step(0.5, read);
    assert.equal(plant.measurements().get('Pump2.Fault'), true, 'a trip set by hand stays');
    plant.set('Pump2.Fault', false);
    plant.step(0.5, read);
    assert.equal(plant.measurements().get('Pump2.Running'), true);

    assert.deepEqual(plant.set('Tank1.Level', 9), ['Tank1.Level']);
    assert.equal(plant.measurements().get('Tank1.Level'), 5, 'a tank holds 5 m');
    assert.equal(plant.set('Types.Int32', 1), undefined);
    assert.throws(() => plant.set('Tank1.Level', 'full'), /Tank1\.Level takes a finite number/);
  });
});
