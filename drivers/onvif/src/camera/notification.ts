/**
 * The event service's answers, read from the parsed reply: subscriptions, renewals and
 * notifications. Everything taken from a notification is text, cut to a bounded length, so a
 * camera cannot grow an event beyond what a platform message can carry.
 */
import { attribute, child, children, textAt, type XmlElement } from '../soap/xml-tree.js';

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

/** Longest topic, item name or value kept; items beyond MAX_ITEMS per message are left out. */
const MAX_TEXT = 256;
const MAX_ITEMS = 32;
const cut = (text: string) => text.slice(0, MAX_TEXT);

function lifetime(response: XmlElement | undefined, fallbackMs: number): number {
  const current = Date.parse(textAt(response, 'CurrentTime') ?? '');
  const termination = Date.parse(textAt(response, 'TerminationTime') ?? '');
  return Number.isFinite(current) && Number.isFinite(termination) && termination > current ? termination - current : fallbackMs;
}

/** `response` is the CreatePullPointSubscriptionResponse element. */
export function readSubscription(response: XmlElement, fallbackMs: number): Subscription {
  const address = textAt(response, 'SubscriptionReference', 'Address');
  if (!address) throw new Error('CreatePullPointSubscription answered no subscription address');
  return { address, lifetimeMs: lifetime(response, fallbackMs) };
}

/** `response` is the RenewResponse element. */
export function readRenewal(response: XmlElement, fallbackMs: number): number {
  return lifetime(response, fallbackMs);
}

function items(node: XmlElement | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of children(node, 'SimpleItem').slice(0, MAX_ITEMS)) {
    const name = attribute(item, 'Name');
    if (name !== undefined) out[cut(name)] = cut(attribute(item, 'Value') ?? '');
  }
  return out;
}

/** `response` is the PullMessagesResponse element. */
export function readNotifications(response: XmlElement): Notification[] {
  return children(response, 'NotificationMessage').map((m) => {
    const outer = child(m, 'Message');
    const message = child(outer, 'Message') ?? outer;
    const time = Date.parse(attribute(message, 'UtcTime') ?? '');
    const operation = attribute(message, 'PropertyOperation');
    return {
      topic: cut(textAt(m, 'Topic') ?? ''),
      operation: operation === undefined ? undefined : cut(operation),
      utcTime: Number.isFinite(time) ? time : undefined,
      source: items(child(message, 'Source')),
      data: items(child(message, 'Data')),
    };
  });
}
