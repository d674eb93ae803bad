/**
 * modbus-serial's client class. The package is CommonJS and its types declare an ES default export,
 * so under `module: NodeNext` the default import is typed as the module object; `.default` is the
 * class both at runtime (the package sets `module.exports.default = module.exports`) and in types.
 */
import modbusSerial from 'modbus-serial';

export const ModbusRTU = modbusSerial.default;
export type ModbusRTU = InstanceType<typeof modbusSerial.default>;
