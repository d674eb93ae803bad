/**
 * The event service (ver10): advertised so clients find its XAddr; pull points come later and
 * until then every call answers ter:ActionNotSupported.
 */
import { NS } from '../soap/namespaces.js';
import { el } from '../xml/build.js';
import type { OnvifService } from './service.js';

export const eventsService: OnvifService = {
  name: 'events',
  namespace: NS.tev,
  version: { major: 2, minor: 60 },
  capabilities: () => el('tev:Capabilities', undefined, { WSSubscriptionPolicySupport: false, WSPullPointSupport: false, WSPausableSubscriptionManagerInterfaceSupport: false, MaxNotificationProducers: 0, MaxPullPoints: 0 }),
  open: new Set(),
  operations: {},
};
