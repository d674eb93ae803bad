/**
 * What a simulator can be asked for, its defaults, and their checks. Every option is checked
 * before anything starts, and a wrong one names itself.
 */
import { SensegateError } from '@sensegate/sdk';

export const PLANT_NAMESPACE = 'urn:sensegate:sim-opcua:water-plant';
/** Registered before the plant namespace by `reorderNamespaces`, so the plant's index moves up. */
export const DECOY_NAMESPACE = 'urn:sensegate:sim-opcua:decoy';
/** The server's ApplicationUri; also in its certificate, so it never changes. */
export const SERVER_URI = 'urn:sensegate:sim-opcua:server';
export const RESOURCE_PATH = '/UA/WaterPlant';

export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type SecurityModeName = (typeof SECURITY_MODES)[number];
/** Basic128Rsa15 and Basic256 are left out: Node >= 20.11.1 disables the RSA PKCS#1 v1.5 they need. */
export const SECURITY_POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;
export type SecurityPolicyName = (typeof SECURITY_POLICIES)[number];

export interface OperationLimits {
  maxNodesPerRead?: number;
  maxNodesPerWrite?: number;
  maxMonitoredItemsPerCall?: number;
  maxNodesPerBrowse?: number;
}

export interface OpcuaSimulatorOptions {
  /** TCP port (default 4840; 0 picks a free one, see `port` on the simulator). */
  port?: number;
  /** Host put in endpoint URLs (default 127.0.0.1). The server listens on every interface. */
  hostname?: string;
  /** Server PKI folder: own certificate and key, trusted and rejected client certificates. Default: a fresh temp folder removed on close. */
  pkiDir?: string;
  /** Accept anonymous sessions (default true). */
  allowAnonymous?: boolean;
  /** User accounts (default operator/operator). */
  users?: Array<{ userName: string; password: string }>;
  /** Security modes offered (default all three). */
  securityModes?: SecurityModeName[];
  /** Security policies offered (default all four). */
  securityPolicies?: SecurityPolicyName[];
  /** Accept unknown client certificates (default true); false moves them to pkiDir/rejected and refuses the channel. */
  trustAllClients?: boolean;
  /** Intake pumps (default 3). */
  pumps?: number;
  /** Milliseconds between value updates (default 500). */
  tick?: number;
  /** Seed of the plant's randomness (default: from the clock); the same seed gives the same values tick for tick. */
  seed?: number;
  /** Advertised in Server.ServerCapabilities.OperationLimits and enforced (BadTooManyOperations). */
  operationLimits?: OperationLimits;
  /** Extra Double variables Bench.V00000.. that change on every tick, for load tests (default 0). */
  benchVariables?: number;
  /** Register a decoy namespace first, so the plant namespace gets index 2 instead of 1. */
  reorderNamespaces?: boolean;
}

export interface Settings {
  port: number;
  hostname: string;
  pkiDir: string | undefined;
  allowAnonymous: boolean;
  users: Array<{ userName: string; password: string }>;
  securityModes: SecurityModeName[];
  securityPolicies: SecurityPolicyName[];
  trustAllClients: boolean;
  pumps: number;
  tick: number;
  seed: number;
  operationLimits: OperationLimits;
  benchVariables: number;
  reorderNamespaces: boolean;
}

export const MAX_PUMPS = 20;
export const MAX_BENCH_VARIABLES = 100_000;

function usage(message: string): never {
  throw new SensegateError('SG_USAGE', message);
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    usage(`${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function listOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T[] {
  if (!Array.isArray(value) || value.length === 0) usage(`${name} must be a non-empty list of ${allowed.join(', ')}`);
  for (const v of value) if (!allowed.includes(v as T)) usage(`${name}: unknown value ${String(v)} (allowed: ${allowed.join(', ')})`);
  return [...new Set(value as T[])];
}

/** Fills in defaults and checks every option; throws SG_USAGE naming the first wrong one. */
export function resolveOptions(options: OpcuaSimulatorOptions = {}): Settings {
  const known = new Set([
    'port', 'hostname', 'pkiDir', 'allowAnonymous', 'users', 'securityModes', 'securityPolicies', 'trustAllClients',
    'pumps', 'tick', 'seed', 'operationLimits', 'benchVariables', 'reorderNamespaces',
  ]);
  for (const key of Object.keys(options)) if (!known.has(key)) usage(`unknown option ${key}`);

  const users = options.users ?? [{ userName: 'operator', password: 'operator' }];
  if (!Array.isArray(users)) usage('users must be a list of { userName, password }');
  users.forEach((u, i) => {
    if (typeof u?.userName !== 'string' || u.userName === '' || typeof u.password !== 'string') {
      usage(`users[${i}] needs a non-empty userName and a password`);
    }
  });
  const securityModes = listOf('securityModes', options.securityModes ?? [...SECURITY_MODES], SECURITY_MODES);
  const securityPolicies = listOf('securityPolicies', options.securityPolicies ?? [...SECURITY_POLICIES], SECURITY_POLICIES);
  // Mode None always goes with policy None (node-opcua adds that endpoint by itself); Sign and
  // SignAndEncrypt need a real policy.
  if (securityModes.some((m) => m !== 'None') && securityPolicies.every((p) => p === 'None')) {
    const secure = securityModes.filter((m) => m !== 'None');
    usage(`securityModes ${secure.join(' and ')} need${secure.length === 1 ? 's' : ''} a securityPolicy other than None`);
  }
  const allowAnonymous = options.allowAnonymous ?? true;
  if (!allowAnonymous && users.length === 0) usage('allowAnonymous is false and there are no users: nobody could log in');

  const operationLimits: OperationLimits = {};
  for (const [key, value] of Object.entries(options.operationLimits ?? {})) {
    if (!['maxNodesPerRead', 'maxNodesPerWrite', 'maxMonitoredItemsPerCall', 'maxNodesPerBrowse'].includes(key)) {
      usage(`operationLimits.${key} is not a limit the simulator sets (maxNodesPerRead, maxNodesPerWrite, maxMonitoredItemsPerCall, maxNodesPerBrowse)`);
    }
    if (value === undefined) continue;
    operationLimits[key as keyof OperationLimits] = integer(`operationLimits.${key}`, value, 1, 1_000_000);
  }
  const hostname = options.hostname ?? '127.0.0.1';
  if (typeof hostname !== 'string' || !/^([A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/.test(hostname)) usage(`hostname must be a host name or IP address, got ${String(hostname)}`);
  if (options.pkiDir !== undefined && (typeof options.pkiDir !== 'string' || options.pkiDir === '')) usage('pkiDir must be a folder path');

  return {
    port: integer('port', options.port ?? 4840, 0, 65535),
    hostname: hostname.replace(/^\[(.*)\]$/, '$1'),
    pkiDir: options.pkiDir,
    allowAnonymous,
    users,
    securityModes,
    securityPolicies,
    trustAllClients: options.trustAllClients ?? true,
    pumps: integer('pumps', options.pumps ?? 3, 1, MAX_PUMPS),
    tick: integer('tick', options.tick ?? 500, 10, 3_600_000),
    seed: integer('seed', options.seed ?? Date.now() % 2 ** 31, 0, 2 ** 32 - 1),
    operationLimits,
    benchVariables: integer('benchVariables', options.benchVariables ?? 0, 0, MAX_BENCH_VARIABLES),
    reorderNamespaces: options.reorderNamespaces ?? false,
  };
}
