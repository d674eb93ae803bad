/**
 * The event service (ver10) with pull points: CreatePullPointSubscription on the service gives a
 * subscription at its own address, where PullMessages (a long poll), Renew, Unsubscribe and
 * SetSynchronizationPoint are answered. The camera's EventSource keeps the queues; this file only
 * reads SOAP and writes the WS-BaseNotification XML.
 */
import { SUBSCRIPTION_PREFIX, type Camera } from '../camera.js';
import { SubscriptionGone, TOPICS, type CameraEvent } from '../events/source.js';
import { fault, FAULTS } from '../soap/envelope.js';
import { NS } from '../soap/namespaces.js';
import type { SoapRequest } from '../soap/request.js';
import { el, type XmlNode } from '../xml/build.js';
import { childText } from '../xml/parse.js';
import { FaultError, type Operation, type OnvifService } from './service.js';

/** A subscription without InitialTerminationTime lives this long, unless renewed. */
export const DEFAULT_SUBSCRIPTION_MS = 60_000;
export const MAX_SUBSCRIPTION_MS = 24 * 3_600_000;
/** The longest PullMessages Timeout accepted (ONVIF asks devices to allow at least one minute). */
export const MAX_PULL_TIMEOUT_MS = 10 * 60_000;
export const MAX_MESSAGE_LIMIT = 1000;

const TOPIC_DIALECT = 'http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet';

const eventsCapabilities = (): XmlNode =>
  el('tev:Capabilities', undefined, { WSSubscriptionPolicySupport: false, WSPullPointSupport: true, WSPausableSubscriptionManagerInterfaceSupport: false, MaxNotificationProducers: 0, MaxPullPoints: 16, PersistentNotificationStorage: false });

const isoTime = (ms: number) => new Date(ms).toISOString();

/** `PT1M`, `PT0.5S`, `P1DT2H` in milliseconds, or undefined when the text is not a duration. */
function durationMs(text: string): number | undefined {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  return (Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
}

/** A termination time, as a duration or an absolute time on the camera's clock, in ms from now. */
function lifetimeMs(camera: Camera, text: string | undefined, what: string): number {
  if (text === undefined || text === '') return DEFAULT_SUBSCRIPTION_MS;
  const ms = durationMs(text) ?? Date.parse(text) - camera.now();
  if (!(ms > 0 && ms <= MAX_SUBSCRIPTION_MS)) throw new FaultError(FAULTS.invalidArg('ter:InvalidTerminationTime', `${what} "${text}" must be a duration or a time in the future, at most 24 hours ahead`));
  return ms;
}

/** The subscription a request's address names, or a fault for the service's own address. */
function subscriptionId(path: string): number {
  const id = path.startsWith(SUBSCRIPTION_PREFIX) ? Number(path.slice(SUBSCRIPTION_PREFIX.length)) : NaN;
  if (!Number.isInteger(id) || id <= 0) throw unknownSubscription(`no subscription at ${path}; send this to the SubscriptionReference address of CreatePullPointSubscription`);
  return id;
}

function unknownSubscription(reason: string): FaultError {
  return new FaultError(fault('env:Sender', ['ter:InvalidArgVal', 'ter:ResourceUnknown'], reason));
}

/** An operation on the subscription the request was sent to; a gone one answers ter:ResourceUnknown. */
function onSubscription(run: (camera: Camera, id: number, request: SoapRequest) => XmlNode | Promise<XmlNode>): Operation {
  return async (camera, request, path) => {
    try {
      return await run(camera, subscriptionId(path), request);
    } catch (err) {
      if (err instanceof SubscriptionGone) throw unknownSubscription(err.message);
      throw err;
    }
  };
}

const simpleItems = (items: CameraEvent['source']) => items.map(([Name, Value]) => el('tt:SimpleItem', undefined, { Name, Value }));

export function notificationMessage(event: CameraEvent): XmlNode {
  return el('wsnt:NotificationMessage', [
    el('wsnt:Topic', event.topic, { Dialect: TOPIC_DIALECT }),
    el(
      'wsnt:Message',
      el('tt:Message', [el('tt:Source', simpleItems(event.source)), el('tt:Data', simpleItems(event.data))], { UtcTime: isoTime(event.utcTime), PropertyOperation: event.operation }),
    ),
  ]);
}

/** One topic of the TopicSet: its path as nested elements, the leaf describing its message. */
function topicNode(topic: string, source: [string, string][], data: [string, string][]): XmlNode {
  const description = el(
    'tt:MessageDescription',
    [
      el('tt:Source', source.map(([Name, Type]) => el('tt:SimpleItemDescription', undefined, { Name, Type }))),
      el('tt:Data', data.map(([Name, Type]) => el('tt:SimpleItemDescription', undefined, { Name, Type }))),
    ],
    { IsProperty: true },
  );
  const parts = topic.replace(/^tns1:/, '').split('/');
  return parts.reduceRight<XmlNode>((inner, name, i) => el(`tns1:${name}`, inner, i === parts.length - 1 ? { 'wstop:topic': true } : {}), description);
}

export const eventsService: OnvifService = {
  name: 'events',
  namespace: NS.tev,
  version: { major: 2, minor: 60 },
  capabilities: eventsCapabilities,
  open: new Set(),
  operations: {
    GetServiceCapabilities: () => el('tev:GetServiceCapabilitiesResponse', eventsCapabilities()),
    GetEventProperties: () =>
      el('tev:GetEventPropertiesResponse', [
        el('tev:TopicNamespaceLocation', 'http://www.onvif.org/onvif/ver10/topics/topicns.xml'),
        el('wsnt:FixedTopicSet', true),
        el('wstop:TopicSet', [
          topicNode(
            TOPICS.motion,
            [
              ['VideoSourceConfigurationToken', 'tt:ReferenceToken'],
              ['VideoAnalyticsConfigurationToken', 'tt:ReferenceToken'],
              ['Rule', 'xs:string'],
            ],
            [['IsMotion', 'xs:boolean']],
          ),
          topicNode(TOPICS.tamper, [['Source', 'tt:ReferenceToken']], [['State', 'xs:boolean']]),
        ]),
        el('wsnt:TopicExpressionDialect', TOPIC_DIALECT),
        el('wsnt:TopicExpressionDialect', 'http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete'),
        el('tev:MessageContentFilterDialect', 'http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter'),
        el('tev:MessageContentSchemaLocation', 'http://www.onvif.org/onvif/ver10/schema/onvif.xsd'),
      ]),
    CreatePullPointSubscription: (camera, request) => {
      const ms = lifetimeMs(camera, childText(request.body, 'InitialTerminationTime'), 'InitialTerminationTime');
      let id: number;
      try {
        id = camera.events.subscribe(ms).id;
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        throw new FaultError(fault('env:Receiver', ['ter:Action', 'ter:TooManySubscriptions'], err.message));
      }
      const now = camera.now();
      return el('tev:CreatePullPointSubscriptionResponse', [
        el('tev:SubscriptionReference', el('wsa5:Address', camera.baseUrl + SUBSCRIPTION_PREFIX + id)),
        el('wsnt:CurrentTime', isoTime(now)),
        el('wsnt:TerminationTime', isoTime(now + ms)),
      ]);
    },
    PullMessages: onSubscription(async (camera, id, request) => {
      const timeoutText = childText(request.body, 'Timeout') ?? 'PT10S';
      const timeout = durationMs(timeoutText);
      if (timeout === undefined || timeout > MAX_PULL_TIMEOUT_MS) throw new FaultError(FAULTS.invalidArg('ter:InvalidTimeout', `Timeout "${timeoutText}" must be a duration of at most PT10M`));
      const limitText = childText(request.body, 'MessageLimit') ?? '10';
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MESSAGE_LIMIT) throw new FaultError(FAULTS.invalidArg('ter:InvalidMessageLimit', `MessageLimit "${limitText}" must be 1 to ${MAX_MESSAGE_LIMIT}`));
      const { messages, expiresAt } = await camera.events.pull(id, limit, timeout);
      const now = camera.now();
      return el('tev:PullMessagesResponse', [el('tev:CurrentTime', isoTime(now)), el('tev:TerminationTime', isoTime(now + Math.max(0, expiresAt - Date.now()))), messages.map(notificationMessage)]);
    }),
    Renew: onSubscription((camera, id, request) => {
      const ms = lifetimeMs(camera, childText(request.body, 'TerminationTime'), 'TerminationTime');
      camera.events.renew(id, ms);
      const now = camera.now();
      return el('wsnt:RenewResponse', [el('wsnt:TerminationTime', isoTime(now + ms)), el('wsnt:CurrentTime', isoTime(now))]);
    }),
    Unsubscribe: onSubscription((camera, id) => {
      camera.events.unsubscribe(id);
      return el('wsnt:UnsubscribeResponse');
    }),
    SetSynchronizationPoint: onSubscription((camera, id) => {
      camera.events.synchronize(id);
      return el('tev:SetSynchronizationPointResponse');
    }),
  },
};
