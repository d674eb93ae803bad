/**
 * One run of the OPC UA server, from start to shutdown: certificate managers on the PKI folder,
 * endpoints with the chosen security, users, namespaces (the decoy first when reordering), the
 * plant's nodes, request counting and slow responses. A restart stops one run and starts another
 * on the same port; the point store carries the values across.
 */
import { join } from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  type OPCUAServerOptions,
} from 'node-opcua';
import type { PointStore } from '../address-space/point-store.js';
import { buildPlantNodes } from '../address-space/build.js';
import { DECOY_NAMESPACE, PLANT_NAMESPACE, RESOURCE_PATH, SERVER_URI, type Settings } from '../options.js';
import type { Catalog } from '../plant/catalog.js';
import { delayResponses, type HeldResponses } from './slow-responses.js';

export interface ServerHooks {
  /** Called with each service request's type name (`ReadRequest`, ...). */
  onRequest(name: string): void;
  /** The delay to hold each service response for, now, in ms. */
  responseDelay(): number;
  /** Where held responses wait, so ending the fault can send them. */
  held: HeldResponses;
}

export interface ServerRun {
  readonly port: number;
  readonly namespaceIndex: number;
  readonly certificateFile: string;
  /** Sessions, subscriptions and monitored items alive on the server now. */
  live(): { sessions: number; subscriptions: number; monitoredItems: number };
  /** Deletes monitored items (on one node id, or all) without telling their clients; how many. */
  dropMonitoredItems(nodeId?: string): number;
  stop(): Promise<void>;
}

export interface RunOptions {
  settings: Settings;
  pkiDir: string;
  port: number;
  reorderNamespaces: boolean;
  catalog: Catalog;
  store: PointStore;
  hooks: ServerHooks;
}

const VERSION = '0.1.0';

export async function startServerRun({ settings, pkiDir, port, reorderNamespaces, catalog, store, hooks }: RunOptions): Promise<ServerRun> {
  // Both managers are given explicitly: node-opcua would otherwise create its PKI under the home folder.
  const serverCertificateManager = new OPCUACertificateManager({ rootFolder: pkiDir, automaticallyAcceptUnknownCertificate: settings.trustAllClients });
  const userCertificateManager = new OPCUACertificateManager({ rootFolder: join(pkiDir, 'users'), automaticallyAcceptUnknownCertificate: false });
  const users = new Map(settings.users.map((u) => [u.userName, u.password]));
  const limits = settings.operationLimits;

  const options: OPCUAServerOptions = {
    port,
    hostname: settings.hostname,
    resourcePath: RESOURCE_PATH,
    serverCertificateManager,
    userCertificateManager,
    serverInfo: {
      applicationUri: SERVER_URI,
      productUri: 'urn:sensegate:sim-opcua',
      applicationName: { text: 'sensegate water plant simulator', locale: 'en' },
    },
    buildInfo: { productName: 'sensegate OPC UA water plant simulator', manufacturerName: 'sensegate', softwareVersion: VERSION },
    // The namespaces are registered below, in the order the run asks for.
    skipOwnNamespace: true,
    allowAnonymous: settings.allowAnonymous,
    securityModes: settings.securityModes.map((m) => MessageSecurityMode[m]),
    securityPolicies: settings.securityPolicies.map((p) => SecurityPolicy[p]),
    userManager: { isValidUser: (userName: string, password: string) => users.get(userName) === password },
    registerServerMethod: RegisterServerMethod.HIDDEN,
    isAuditing: false,
    maxConnectionsPerEndpoint: 200,
    serverCapabilities: {
      maxSessions: 200,
      maxSubscriptionsPerSession: 50,
      operationLimits: {
        ...(limits.maxNodesPerRead !== undefined ? { maxNodesPerRead: limits.maxNodesPerRead } : {}),
        ...(limits.maxNodesPerWrite !== undefined ? { maxNodesPerWrite: limits.maxNodesPerWrite } : {}),
        ...(limits.maxMonitoredItemsPerCall !== undefined ? { maxMonitoredItemsPerCall: limits.maxMonitoredItemsPerCall } : {}),
        ...(limits.maxNodesPerBrowse !== undefined ? { maxNodesPerBrowse: limits.maxNodesPerBrowse } : {}),
      },
    },
  };
  const server = new OPCUAServer(options);
  await server.initialize();

  const addressSpace = server.engine.addressSpace!;
  if (reorderNamespaces) {
    const decoy = addressSpace.registerNamespace(DECOY_NAMESPACE);
    decoy.addObject({ organizedBy: addressSpace.rootFolder.objects, typeDefinition: 'FolderType', browseName: 'Decoy', nodeId: 's=Decoy', description: 'Takes the namespace index the plant had, as a firmware update might.' });
  }
  const namespace = addressSpace.registerNamespace(PLANT_NAMESPACE);
  buildPlantNodes(addressSpace, namespace, catalog, store);

  server.on('request', (request) => hooks.onRequest(request.schema.name));
  server.on('newChannel', (channel) => delayResponses(channel, hooks.responseDelay, hooks.held));

  try {
    await server.start();
  } catch (err) {
    store.detachAll();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`cannot listen on port ${port}: it is in use`, { cause: err });
    throw err;
  }

  const engine = server.engine;
  let stopped: Promise<void> | undefined;
  return {
    port: server.endpoints[0]!.port,
    namespaceIndex: namespace.index,
    certificateFile: server.certificateFile,
    live: () => ({
      sessions: engine.currentSessionCount,
      subscriptions: engine.currentSubscriptionCount,
      monitoredItems: monitoredItemCount(engine),
    }),
    dropMonitoredItems: (nodeId) => {
      let dropped = 0;
      for (const session of engine.getSessions()) {
        for (const subscription of session.publishEngine.subscriptions) {
          const { serverHandles } = subscription.getMonitoredItems();
          const doomed = Array.from(serverHandles).filter((handle) => {
            if (nodeId === undefined) return true;
            const item = subscription.getMonitoredItem(handle);
            return item?.node?.nodeId.toString() === nodeId;
          });
          subscription.removeMonitoredItems(doomed);
          dropped += doomed.length;
        }
      }
      return dropped;
    },
    stop: () => {
      stopped ??= (async () => {
        store.detachAll();
        await server.shutdown(0);
      })();
      return stopped;
    },
  };
}

/** The engine's own count of monitored items across every session and orphan subscription. */
function monitoredItemCount(engine: OPCUAServer['engine']): number {
  const counter = (engine as unknown as { _globalCounter?: { totalMonitoredItemCount?: number } })._globalCounter;
  if (typeof counter?.totalMonitoredItemCount === 'number') return counter.totalMonitoredItemCount;
  return engine.getSessions().reduce((sum, s) => sum + s.currentMonitoredItemCount, 0);
}
