/**
 * The PTZ service (ver20): advertised so clients find its XAddr; its operations come later and
 * until then every call answers ter:ActionNotSupported.
 */
import { NS } from '../soap/namespaces.js';
import { el } from '../xml/build.js';
import type { OnvifService } from './service.js';

export const ptzService: OnvifService = {
  name: 'ptz',
  namespace: NS.tptz,
  version: { major: 2, minor: 60 },
  capabilities: () => el('tptz:Capabilities', undefined, { EFlip: false, Reverse: false, GetCompatibleConfigurations: false, MoveStatus: false, StatusPosition: false }),
  open: new Set(),
  operations: {},
};
