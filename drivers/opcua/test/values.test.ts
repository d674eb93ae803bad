import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataType, DataValue, StatusCodes, Variant, VariantArrayType } from 'node-opcua';
import { float32, fromDataValue, fromVariant, qualityOf, statusOf, toVariant } from '../src/values.js';

test('every status code maps to a quality by its severity, carrying its name', () => {
  assert.equal(qualityOf(StatusCodes.Good), 'good');
  assert.equal(statusOf(StatusCodes.Good), undefined);
  assert.equal(qualityOf(StatusCodes.GoodClamped), 'good');
  assert.equal(statusOf(StatusCodes.GoodClamped), 'opcua:GoodClamped');
  assert.equal(qualityOf(StatusCodes.UncertainLastUsableValue), 'uncertain');
  assert.equal(statusOf(StatusCodes.UncertainSensorNotAccurate), 'opcua:UncertainSensorNotAccurate');
  assert.equal(qualityOf(StatusCodes.BadSensorFailure), 'bad');
  assert.equal(qualityOf(StatusCodes.BadCommunicationError), 'bad');
});

test('a DataValue carries its source timestamp, else the server timestamp', () => {
  const source = new Date('2026-11-29T08:00:00.000Z');
  const server = new Date('2026-11-29T08:00:01.000Z');
  const dv = new DataValue({ value: new Variant({ dataType: DataType.Double, value: 4.5 }), sourceTimestamp: source, serverTimestamp: server });
  assert.deepEqual(fromDataValue(dv), { value: 4.5, quality: 'good', status: undefined, ts: source.getTime() });
  assert.equal(fromDataValue(dv, 'server').ts, server.getTime());
  const noSource = new DataValue({ value: new Variant({ dataType: DataType.Double, value: 1 }), serverTimestamp: server });
  assert.equal(fromDataValue(noSource).ts, server.getTime());
  const bad = new DataValue({ value: new Variant({ dataType: DataType.Double, value: 9 }), statusCode: StatusCodes.BadSensorFailure });
  assert.deepEqual(fromDataValue(bad), { value: null, quality: 'bad', status: 'opcua:BadSensorFailure', ts: undefined });
});

test('scalars of every built-in type become feed values', () => {
  const v = (dataType: DataType, value: unknown) => fromVariant(new Variant({ dataType, arrayType: VariantArrayType.Scalar, value }));
  assert.equal(v(DataType.Boolean, true), true);
  assert.equal(v(DataType.SByte, -5), -5);
  assert.equal(v(DataType.UInt32, 4294967295), 4294967295);
  assert.equal(v(DataType.Int64, [0, 42]), 42);
  assert.equal(v(DataType.Int64, [0xffffffff, 0xffffffff]), -1);
  assert.equal(v(DataType.UInt64, [0x200000, 1]), '9007199254740993');
  assert.equal(v(DataType.Float, Math.fround(0.1)), 0.1);
  assert.equal(v(DataType.Double, 0.1), 0.1);
  assert.equal(v(DataType.String, 'pump'), 'pump');
  assert.equal(v(DataType.DateTime, new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678Z');
  assert.equal(v(DataType.ByteString, Buffer.from([1, 2, 3])), 'AQID');
  assert.equal(v(DataType.LocalizedText, { text: 'Intake' }), 'Intake');
  assert.equal(v(DataType.StatusCode, StatusCodes.BadOutOfRange), 'BadOutOfRange');
  assert.equal(v(DataType.Guid, '72962B91-FA75-4AE6-8D28-B404DC7DAF63'), '72962B91-FA75-4AE6-8D28-B404DC7DAF63');
  assert.equal(fromVariant(new Variant({ dataType: DataType.Null })), null);
});

test('arrays and matrices become JSON arrays', () => {
  assert.deepEqual(fromVariant(new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1.5, 2, 3] })), [1.5, 2, 3]);
  assert.deepEqual(fromVariant(new Variant({ dataType: DataType.String, arrayType: VariantArrayType.Array, value: ['a', 'b'] })), ['a', 'b']);
  const matrix = new Variant({ dataType: DataType.Int32, arrayType: VariantArrayType.Matrix, dimensions: [2, 3], value: new Int32Array([1, 2, 3, 4, 5, 6]) });
  assert.deepEqual(fromVariant(matrix), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
});

test('float32 gives the shortest decimal that reads back the same', () => {
  assert.equal(float32(Math.fround(3.14159)), 3.14159);
  assert.equal(float32(Math.fround(1e-7)), 1e-7);
  assert.equal(float32(16777216), 16777216);
  for (let i = 0; i < 1000; i++) {
    const x = Math.fround((i - 500) * 0.37);
    assert.equal(Math.fround(float32(x)), x);
  }
});

test('writes coerce to the node type and refuse what does not fit, naming the point', () => {
  assert.equal(toVariant('42', DataType.Int16, false, 'p').value, 42);
  assert.equal(toVariant(1, DataType.Boolean, false, 'p').value, true);
  assert.deepEqual(toVariant('9007199254740993', DataType.UInt64, false, 'p').value, [0x200000, 1]);
  assert.deepEqual(toVariant(-1, DataType.Int64, false, 'p').value, [0xffffffff, 0xffffffff]);
  assert.equal((toVariant('2026-01-02T03:04:05Z', DataType.DateTime, false, 'p').value as Date).toISOString(), '2026-01-02T03:04:05.000Z');
  const array = toVariant('[1, 2.5]', DataType.Double, true, 'p');
  assert.equal(array.arrayType, VariantArrayType.Array);
  assert.deepEqual(Array.from(array.value as number[]), [1, 2.5]);
  assert.throws(() => toVariant(300, DataType.Byte, false, 'point speed (ns=2;s=X)'), /point speed \(ns=2;s=X\): 300 does not fit Byte \(an integer from 0 to 255\)/);
  assert.throws(() => toVariant(1.5, DataType.Int32, false, 'p'), /1\.5 does not fit Int32/);
  assert.throws(() => toVariant('fast', DataType.Double, false, 'p'), /"fast" is not a number, and the node is Double/);
  assert.throws(() => toVariant('maybe', DataType.Boolean, false, 'p'), /not a boolean/);
  assert.throws(() => toVariant('-1', DataType.UInt64, false, 'p'), /does not fit UInt64/);
  assert.throws(() => toVariant([1, 'x'], DataType.Double, true, 'p'), /element 1: "x" is not a number/);
  assert.throws(() => toVariant(null, DataType.Double, false, 'p'), /null cannot be written/);
});
