/**
 * The simulator for the read benchmark, in its own process (as in production, where a device is
 * not in the gateway's process): serves one profile on an ephemeral port and reports the port.
 * Usage (by bench/read.ts): fork with tsx, argv: <profile.yaml>
 */
import { loadProfile, startModbusSimulator } from '@sensegate/sim-modbus';

const profile = loadProfile(process.argv[2]!);
const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile }], tick: 1000 });
process.send!({ port: sim.port });
process.on('disconnect', () => {
  void sim.close().then(() => process.exit(0));
});
