/** The event service's answers, read from the `onvif` package's parsed bodies: subscriptions and notifications. */
import { childNode, childNodes, nodeAttributes, nodeText, type ParsedNode } from './xml-text.js';

export interface Subscription {
  /** The pull point's address, as the camera gave it. */
  address: string;
  /** How long the camera keeps it from now, ms, from its own CurrentTime and TerminationTime. */
  lifetimeMs: number;
}

/** One NotificationMessage, with items kept as the text the camera sent. */
export interface Notification {
  topic: string;
  /** `Initialized` (the state when subscribing), `Changed`, `Deleted`, or undefined. */
  operation: string | undefined;
  /** The camera's UtcTime, ms since the epoch. */
  utcTime: number | undefined;
  source: Record<string, string>;
  data: Record<string, string>;
}

function responseOf(body: unknown, name: string): ParsedNode | undefined {
  const root = Array.isArray(body) ? body[0] : body;
  return childNode(root, name);
}

function lifetime(node: ParsedNode | undefined, fallbackMs: number): number {
  const current = Date.parse(nodeText(childNode(node, 'currentTime')) ?? '');
  const termination = Date.parse(nodeText(childNode(node, 'terminationTime')) ?? '');
  return Number.isFinite(current) && Number.isFinite(termination) && termination > current ? termination - current : fallbackMs;
}

export function readSubscription(body: unknown, fallbackMs: number): Subscription {
  const response = responseOf(body, 'createPullPointSubscriptionResponse');
  const reference = childNode(response, 'subscriptionReference');
  const address = nodeText(childNode(reference, 'address'));
  if (!address) throw new Error('CreatePullPointSubscription answered no subscription address');
  return { address, lifetimeMs: lifetime(response, fallbackMs) };
}

export function readRenewal(body: unknown, fallbackMs: number): number {
  return lifetime(responseOf(body, 'renewResponse'), fallbackMs);
}

function items(node: ParsedNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of childNodes(node, 'simpleItem')) {
    const { Name, Value } = nodeAttributes(item);
    if (Name !== undefined) out[Name] = Value ?? '';
  }
  return out;
}

export function readNotifications(body: unknown): Notification[] {
  const response = responseOf(body, 'pullMessagesResponse');
  return childNodes(response, 'notificationMessage').map((m) => {
    const outer = childNode(m, 'message');
    const message = childNode(outer, 'message') ?? outer;
    const attributes = nodeAttributes(message);
    const time = Date.parse(attributes['UtcTime'] ?? '');
    return {
      topic: nodeText(childNode(m, 'topic')) ?? '',
      operation: attributes['PropertyOperation'],
      utcTime: Number.isFinite(time) ? time : undefined,
      source: items(childNode(message, 'source')),
      data: items(childNode(message, 'data')),
    };
  });
}
