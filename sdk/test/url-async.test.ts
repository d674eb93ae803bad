// Credentials in stream URLs, and the promise helpers drivers share.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SensegateError, abortable, redactText, redactUrl, sleep, urlWithCredentials, withTimeout } from '@sensegate/sdk';

describe('stream URLs', () => {
  it('adds an account to a URL, encoding what a URL cannot hold as is', () => {
    assert.equal(urlWithCredentials('rtsp://10.0.0.5:554/Streaming/101', { user: 'admin', password: 'p@ss:w/rd' }), 'rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/Streaming/101');
    assert.equal(urlWithCredentials('rtsp://10.0.0.5/live', undefined), 'rtsp://10.0.0.5/live');
    // replaces an account the device put in the URL itself
    assert.equal(urlWithCredentials('rtsp://old:old@10.0.0.5/live', { user: 'u', password: 'p' }), 'rtsp://u:p@10.0.0.5/live');
  });

  it('hides passwords and token-like query values, and never fails on text that is not a URL', () => {
    assert.equal(redactUrl('rtsp://admin:secret@10.0.0.5/live'), 'rtsp://admin:***@10.0.0.5/live');
    assert.equal(redactUrl('http://gw:8000/live/cam-1.flv?token=abc&x=1'), 'http://gw:8000/live/cam-1.flv?token=***&x=1');
    assert.equal(redactUrl('http://10.0.0.5/snap.jpg'), 'http://10.0.0.5/snap.jpg');
    assert.equal(redactUrl('not a url //user:secret@host'), 'not a url //***@host');
    assert.ok(!redactUrl(urlWithCredentials('rtsp://h/x', { user: 'a', password: 'p%40ss' })).includes('p%40ss'));
  });
});

describe('free text with URLs and secrets in it', () => {
  it('redacts every URL, leftover user-info, and each secret as given or URL-decoded', () => {
    const line = 'pulling rtsp://admin:p%40ss@10.0.0.5/live and http://gw/x.flv?token=t0k3n-abc (401 for user admin with p@ss)';
    assert.equal(
      redactText(line, ['p%40ss']),
      'pulling rtsp://admin:***@10.0.0.5/live and http://gw/x.flv?token=*** (401 for user admin with ***)',
    );
    assert.equal(redactText('rtsp://u:pw@host[bad'), 'rtsp://***@host[bad', 'a URL that does not parse loses its whole user-info');
    assert.equal(redactText('nothing secret here'), 'nothing secret here');
  });
});

describe('promise helpers', () => {
  it('withTimeout rejects with SG_REQUEST_TIMEOUT naming what did not finish', async () => {
    await assert.rejects(withTimeout(new Promise(() => {}), 20, 'reading the clock'), (err: SensegateError) => {
      assert.equal(err.code, 'SG_REQUEST_TIMEOUT');
      assert.match(err.message, /reading the clock: no answer within 20 ms/);
      return true;
    });
    assert.equal(await withTimeout(Promise.resolve(7), 1000, 'x'), 7);
    await assert.rejects(withTimeout(new Promise(() => {}), 5, 'x', () => new Error('custom')), /custom/);
  });

  it('abortable gives up with the signal\'s reason; sleep ends early on abort', async () => {
    const controller = new AbortController();
    const pending = abortable(new Promise(() => {}), controller.signal);
    controller.abort(new Error('stopping'));
    await assert.rejects(pending, /stopping/);
    await assert.rejects(abortable(Promise.resolve(1), controller.signal), /stopping/);
    assert.equal(await abortable(Promise.resolve(1), new AbortController().signal), 1);
    const started = Date.now();
    await sleep(60_000, controller.signal);
    assert.ok(Date.now() - started < 30_000, 'an aborted sleep returns at once');
  });
});
