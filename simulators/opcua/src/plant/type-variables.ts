/**
 * The `Types` folder: one writable variable per OPC UA built-in type, each with a value that
 * exercises its encoding (Int64 beyond 2^53, a Float that is not exact, a non-ASCII string...).
 * Values are in the simulator's JavaScript form (see value-forms.ts).
 */
import type { BuiltInType } from './catalog.js';

export interface TypeVariable {
  name: string;
  dataType: BuiltInType;
  array?: boolean;
  initial: unknown;
  description: string;
}

export const TYPE_VARIABLES: readonly TypeVariable[] = [
  { name: 'Boolean', dataType: 'Boolean', initial: true, description: 'Boolean, writable.' },
  { name: 'SByte', dataType: 'SByte', initial: -100, description: 'SByte (-128 to 127), writable.' },
  { name: 'Byte', dataType: 'Byte', initial: 200, description: 'Byte (0 to 255), writable.' },
  { name: 'Int16', dataType: 'Int16', initial: -30000, description: 'Int16, writable.' },
  { name: 'UInt16', dataType: 'UInt16', initial: 60000, description: 'UInt16, writable.' },
  { name: 'Int32', dataType: 'Int32', initial: -2000000000, description: 'Int32, writable.' },
  { name: 'UInt32', dataType: 'UInt32', initial: 4000000000, description: 'UInt32, writable.' },
  { name: 'Int64', dataType: 'Int64', initial: 9007199254740993n, description: 'Int64, writable; starts at 2^53 + 1, which a JavaScript number cannot hold (read it as a bigint).' },
  { name: 'UInt64', dataType: 'UInt64', initial: 18000000000000000001n, description: 'UInt64, writable; starts beyond 2^63.' },
  { name: 'Float', dataType: 'Float', initial: Math.fround(3.14), description: 'Float (32-bit), writable; 3.14 is not exact in 32 bits.' },
  { name: 'Double', dataType: 'Double', initial: 2.718281828459045, description: 'Double, writable.' },
  { name: 'String', dataType: 'String', initial: 'Wasserwerk Süd', description: 'String, writable; starts with a non-ASCII character.' },
  { name: 'DateTime', dataType: 'DateTime', initial: new Date('2024-03-01T06:30:00.000Z'), description: 'DateTime, writable.' },
  { name: 'Guid', dataType: 'Guid', initial: '72962B91-FA75-4AE6-8D28-B404DC7DAF63', description: 'Guid, writable.' },
  { name: 'ByteString', dataType: 'ByteString', initial: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]), description: 'ByteString, writable.' },
  { name: 'LocalizedText', dataType: 'LocalizedText', initial: { locale: 'en', text: 'Water plant' }, description: 'LocalizedText, writable.' },
  { name: 'QualifiedName', dataType: 'QualifiedName', initial: { namespaceIndex: 0, name: 'WaterPlant' }, description: 'QualifiedName, writable.' },
  { name: 'NodeId', dataType: 'NodeId', initial: 'ns=0;i=2253', description: 'NodeId, writable; starts at the Server object.' },
  { name: 'StatusCode', dataType: 'StatusCode', initial: 'UncertainSensorNotAccurate', description: 'StatusCode as a value (not the status of the read), writable.' },
  { name: 'XmlElement', dataType: 'XmlElement', initial: '<pump id="1"><state>running</state></pump>', description: 'XmlElement, writable.' },
  { name: 'DoubleArray', dataType: 'Double', array: true, initial: [1.5, 2.5, 3.5, 4.5, 5.5], description: 'Double[] of 5, writable.' },
  { name: 'Int32Array', dataType: 'Int32', array: true, initial: [10, -20, 30, -40, 50], description: 'Int32[] of 5, writable.' },
  { name: 'StringArray', dataType: 'String', array: true, initial: ['intake', 'clarifier', 'filter', 'reservoir'], description: 'String[] of 4, writable.' },
];
