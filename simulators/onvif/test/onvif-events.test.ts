// A gateway listens for motion with the `onvif` client's pull-point events: the camera queues
// motion and tamper messages per subscription, answers long polls as soon as one arrives, and a
// subscription that expires (or is made to, by the fault) answers a fault, so the client makes a new one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, connectCam, postSoap, securityHeader, soapEnvelope, startServices, type Cam } from './support/onvif-client.js';

const TEV = 'http://www.onvif.org/ver10/events/wsdl';
const WSNT = 'http://docs.oasis-open.org/wsn/b-2';

/** Sends one operation with a fresh UsernameToken to `url`. */
const soap = (url: string, operation: string) => postSoap(url, soapEnvelope(operation, securityHeader('admin', 'admin', Date.now())));

const between = (text: string, tag: string) => new RegExp(`<[\\w]+:${tag}>([^<]*)</[\\w]+:${tag}>`).exec(text)?.[1];

async function createPullPoint(url: string, initial = 'PT1M'): Promise<{ address: string; current: number; termination: number }> {
  const reply = await soap(url, `<CreatePullPointSubscription xmlns="${TEV}"><InitialTerminationTime>${initial}</InitialTerminationTime></CreatePullPointSubscription>`);
  assert.equal(reply.status, 200, reply.text);
  return { address: between(reply.text, 'Address')!, current: Date.parse(between(reply.text, 'CurrentTime')!), termination: Date.parse(between(reply.text, 'TerminationTime')!) };
}

const pull = (address: string, timeout = 'PT1S', limit = 10) => soap(address, `<PullMessages xmlns="${TEV}"><Timeout>${timeout}</Timeout><MessageLimit>${limit}</MessageLimit></PullMessages>`);
const messages = (text: string) => text.match(/<wsnt:NotificationMessage>.*?<\/wsnt:NotificationMessage>/g) ?? [];

interface EventMessage {
  topic: { _: string };
  message: { message: { $: { UtcTime: Date; PropertyOperation: string }; source: { simpleItem: any }; data: { simpleItem: { $: { Name: string; Value: unknown } } } } };
}

/** The next `event` the client emits that passes `match`, or a failure after `ms`. */
function nextEvent(cam: Cam, match: (e: EventMessage) => boolean, ms: number): Promise<EventMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cam.removeListener('event', listener);
      reject(new Error(`no matching event within ${ms} ms`));
    }, ms);
    function listener(e: EventMessage) {
      if (!match(e)) return;
      clearTimeout(timer);
      cam.removeListener('event', listener);
      resolve(e);
    }
    cam.on('event', listener);
  });
}

/**
 * A connected client with an event listener for the whole test: the client pulls while it has at
 * least one, and a pull loop that stops and restarts would leave a second subscription behind.
 */
async function listening(url: string, t: { after(fn: () => void): void }): Promise<Cam> {
  const cam = await connectCam(url);
  cam.on('event', () => {});
  t.after(() => cam.removeAllListeners('event'));
  return cam;
}

const isMotion = (value: boolean) => (e: EventMessage) => e.topic._ === 'tns1:RuleEngine/CellMotionDetector/Motion' && e.message.message.data.simpleItem.$.Value === value;

describe('ONVIF events with the onvif client', () => {
  it("delivers a motion event to cam.on('event') within 2 s of motion(id)", async (t) => {
    const services = await startServices(t);
    const cam = await listening(services.deviceServiceUrl('cam1'), t);
    // The client subscribes by itself once it has a listener; the first messages are the Initialized state.
    const initialized = await nextEvent(cam, isMotion(false), 3000);
    assert.equal(initialized.message.message.$.PropertyOperation, 'Initialized');
    const started = Date.now();
    const motion = nextEvent(cam, isMotion(true), 2000);
    services.motion('cam1');
    const e = await motion;
    const elapsed = Date.now() - started;
    assert.equal(e.message.message.$.PropertyOperation, 'Changed');
    const source = Object.fromEntries([e.message.message.source.simpleItem].flat().map((i: any) => [i.$.Name, i.$.Value]));
    assert.deepEqual(source, { VideoSourceConfigurationToken: 'video_source_config', VideoAnalyticsConfigurationToken: 'VideoAnalyticsConfig', Rule: 'MyMotionDetectorRule' });
    assert.ok(Math.abs(e.message.message.$.UtcTime.getTime() - Date.now()) < 2000);
    t.diagnostic(`motion event reached the client ${elapsed} ms after motion()`);
    // ...and its end a second later.
    await nextEvent(cam, isMotion(false), 2000);
  });

  it('advertises pull points and lists the topics', async (t) => {
    const services = await startServices(t);
    const cam = await connectCam(services.deviceServiceUrl('cam1'));
    const capabilities = await call(cam, 'getEventServiceCapabilities');
    assert.equal(capabilities.WSPullPointSupport, true);
    const properties = await call(cam, 'getEventProperties');
    assert.ok(properties.topicSet.ruleEngine.cellMotionDetector.motion, JSON.stringify(properties.topicSet));
    assert.ok(properties.topicSet.videoSource.globalSceneChange.imagingService);
  });

  it('queues messages for a subscription made and pulled by hand', async (t) => {
    const services = await startServices(t);
    const cam = await connectCam(services.deviceServiceUrl('cam1'));
    const subscription = await call(cam, 'createPullPointSubscription');
    assert.match(subscription.subscriptionReference.address.href, /\/onvif\/events_service\/subscription\/\d+$/);
    services.motion('cam1', true);
    services.tamper('cam1');
    const reply = await call(cam, 'pullMessages', { messageLimit: 10 });
    const list = [reply.notificationMessage].flat();
    const summary = list.map((m: any) => `${m.topic._} ${m.message.message.$.PropertyOperation} ${m.message.message.data.simpleItem.$.Value}`);
    assert.deepEqual(summary, [
      'tns1:RuleEngine/CellMotionDetector/Motion Initialized false',
      'tns1:VideoSource/GlobalSceneChange/ImagingService Initialized false',
      'tns1:RuleEngine/CellMotionDetector/Motion Changed true',
      'tns1:VideoSource/GlobalSceneChange/ImagingService Changed true',
    ]);
    assert.ok(reply.terminationTime instanceof Date);
  });

  it('answers a long poll when a message arrives, or empty after Timeout, at most MessageLimit at a time', async (t) => {
    const services = await startServices(t);
    const { address } = await createPullPoint(services.deviceServiceUrl('cam1').replace('device_service', 'events_service'));
    assert.equal(messages((await pull(address, 'PT1S', 1)).text).length, 1);
    assert.equal(messages((await pull(address, 'PT1S', 10)).text).length, 1);
    let started = Date.now();
    const empty = await pull(address, 'PT0.3S');
    assert.equal(messages(empty.text).length, 0);
    assert.ok(Date.now() - started >= 280, `empty pull answered after ${Date.now() - started} ms`);
    started = Date.now();
    const waiting = pull(address, 'PT5S');
    setTimeout(() => services.motion('cam1', true), 200);
    const woken = await waiting;
    const elapsed = Date.now() - started;
    assert.equal(messages(woken.text).length, 1);
    assert.match(woken.text, /Name="IsMotion" Value="true"/);
    assert.ok(elapsed < 1000, `pull answered ${elapsed} ms after it was sent`);
  });

  it('honours InitialTerminationTime, extends it with Renew, and ends with Unsubscribe', async (t) => {
    const services = await startServices(t);
    const eventsUrl = services.deviceServiceUrl('cam1').replace('device_service', 'events_service');
    const short = await createPullPoint(eventsUrl, 'PT10S');
    assert.ok(Math.abs(short.termination - short.current - 10_000) < 50);
    const renewed = await soap(short.address, `<Renew xmlns="${WSNT}"><TerminationTime>PT2M</TerminationTime></Renew>`);
    assert.equal(renewed.status, 200, renewed.text);
    const termination = Date.parse(between(renewed.text, 'TerminationTime')!);
    assert.ok(Math.abs(termination - Date.parse(between(renewed.text, 'CurrentTime')!) - 120_000) < 50);
    assert.equal(services.subscriptions('cam1'), 1);
    const gone = await soap(short.address, `<Unsubscribe xmlns="${WSNT}"/>`);
    assert.equal(gone.status, 200, gone.text);
    assert.equal(services.subscriptions('cam1'), 0);
    const after = await pull(short.address);
    assert.equal(after.status, 400);
    assert.match(after.text, /ter:ResourceUnknown/);

    const brief = await createPullPoint(eventsUrl, 'PT0.3S');
    await sleep(400);
    const expired = await pull(brief.address);
    assert.equal(expired.status, 400);
    assert.match(expired.text, /ter:ResourceUnknown/);
    assert.equal(services.subscriptions('cam1'), 0);
  });

  it('expireSubscriptions: pulls get a fault, and the client subscribes again and still gets motion', async (t) => {
    const services = await startServices(t);
    const eventsUrl = services.deviceServiceUrl('cam1').replace('device_service', 'events_service');
    const byHand = await createPullPoint(eventsUrl);
    const cam = await listening(services.deviceServiceUrl('cam1'), t);
    await nextEvent(cam, isMotion(false), 3000);
    assert.equal(services.expireSubscriptions('cam1'), 2);
    const faulted = await pull(byHand.address);
    assert.equal(faulted.status, 400);
    assert.match(faulted.text, /ter:ResourceUnknown/);
    // The client's pending pull is answered with a fault; it unsubscribes and creates a new pull point.
    const errors: Error[] = [];
    cam.on('eventsError', (err: Error) => errors.push(err));
    await nextEvent(cam, (e) => isMotion(false)(e) && e.message.message.$.PropertyOperation === 'Initialized', 3000);
    assert.equal(services.subscriptions('cam1'), 1);
    const motion = nextEvent(cam, isMotion(true), 2000);
    services.motion('cam1', true);
    await motion;
    assert.ok(errors.length >= 1);
  });

  it('refuses a bad Timeout and PullMessages on the service address', async (t) => {
    const services = await startServices(t);
    const eventsUrl = services.deviceServiceUrl('cam1').replace('device_service', 'events_service');
    const { address } = await createPullPoint(eventsUrl);
    const bad = await pull(address, 'PT1H');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /ter:InvalidTimeout/);
    const wrongPlace = await pull(eventsUrl);
    assert.equal(wrongPlace.status, 400);
    assert.match(wrongPlace.text, /ter:ResourceUnknown/);
  });

  it('sends motion on a schedule with motionEveryMs', async (t) => {
    const { cameraSpec } = await import('./support/onvif-client.js');
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { motionEveryMs: 300 })] });
    const { address } = await createPullPoint(services.deviceServiceUrl('cam1').replace('device_service', 'events_service'));
    await pull(address);
    const reply = await pull(address, 'PT2S');
    assert.match(reply.text, /Name="IsMotion" Value="true"/);
  });
});
