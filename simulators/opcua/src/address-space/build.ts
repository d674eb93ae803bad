/**
 * Builds the catalog's folders, objects and variables in a namespace of a fresh address space,
 * with the store's current values, and attaches each variable to the store.
 */
import {
  AccessLevelFlag,
  makeEUInformation,
  standardUnits,
  type AddressSpace,
  type EUInformation,
  type Namespace,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { Catalog, Unit, VariableSpec } from '../plant/catalog.js';
import type { PointStore } from './point-store.js';
import { toVariant } from './value-forms.js';

const UNITS: Record<Unit, EUInformation> = {
  percent: standardUnits.percent,
  ampere: standardUnits.ampere,
  metre: standardUnits.metre,
  cubicMetrePerHour: standardUnits.cubic_metre_per_hour,
  milligramPerLitre: makeEUInformation('M1', 'mg/L', 'milligram per litre'),
  ntu: noCommonCode(makeEUInformation('NTU', 'NTU', 'nephelometric turbidity unit')),
};

/** NTU has no UN/CEFACT common code: unitId -1 says so (OPC 10000-8, EUInformation). */
function noCommonCode(unit: EUInformation): EUInformation {
  unit.unitId = -1;
  return unit;
}

const READ = AccessLevelFlag.CurrentRead;
const READ_WRITE = AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite;

export function buildPlantNodes(addressSpace: AddressSpace, namespace: Namespace, catalog: Catalog, store: PointStore): void {
  const containers = new Map<string, { node: UAObject; kind: 'folder' | 'object' }>();
  const under = (parentId: string | undefined): { organizedBy: UAObject } | { componentOf: UAObject } => {
    if (parentId === undefined) return { organizedBy: addressSpace.rootFolder.objects };
    const parent = containers.get(parentId)!;
    return parent.kind === 'folder' ? { organizedBy: parent.node } : { componentOf: parent.node };
  };
  for (const c of catalog.containers) {
    const node = namespace.addObject({
      ...under(c.parent),
      browseName: c.browseName,
      nodeId: `s=${c.id}`,
      description: c.description,
      ...(c.kind === 'folder' ? { typeDefinition: 'FolderType' } : {}),
    });
    containers.set(c.id, { node, kind: c.kind });
  }
  for (const spec of catalog.variables) {
    const variable = addVariable(namespace, spec, under(spec.parent), store);
    store.attach(spec.id, variable);
  }
}

function addVariable(namespace: Namespace, spec: VariableSpec, placement: { organizedBy: UAObject } | { componentOf: UAObject }, store: PointStore): UAVariable {
  const access = spec.writable ? READ_WRITE : READ;
  const common = {
    ...placement,
    browseName: spec.browseName,
    nodeId: `s=${spec.id}`,
    description: spec.description,
    dataType: spec.dataType,
    accessLevel: access,
    userAccessLevel: access,
    // Values change when the plant ticks and are pushed to subscriptions as they change.
    minimumSamplingInterval: 0,
    value: toVariant(spec, store.value(spec.id)),
    ...(spec.array ? { valueRank: 1, arrayDimensions: [0] } : { valueRank: -1 }),
  };
  if (!spec.range) return namespace.addVariable(common);
  const item = namespace.addAnalogDataItem({
    ...common,
    engineeringUnitsRange: spec.range,
    ...(spec.unit ? { engineeringUnits: UNITS[spec.unit] } : {}),
    // node-opcua refuses writes outside the InstrumentRange with BadOutOfRange.
    ...(spec.writable ? { instrumentRange: spec.range } : {}),
  });
  // node-opcua makes the InstrumentRange property writable; a client must not widen its own limits.
  const instrumentRange = item.getPropertyByName('InstrumentRange') as UAVariable | null;
  if (instrumentRange) {
    instrumentRange.accessLevel = READ;
    instrumentRange.userAccessLevel = READ;
  }
  return item;
}
