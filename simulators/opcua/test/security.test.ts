// A site locks its plant down: user accounts instead of anonymous access, signed and encrypted
// channels, and only client certificates someone trusted.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { MessageSecurityMode, UserTokenType } from 'node-opcua';
import { connect, newClient, read, startSimulator, tempDir } from './support/client.js';

describe('security', () => {
  it('logs users in by name and password, and refuses a wrong password and anonymous access when asked', async (t) => {
    const sim = await startSimulator(t, { allowAnonymous: false, users: [{ userName: 'alice', password: 'secret' }] });
    const { session } = await connect(t, sim, { user: { userName: 'alice', password: 'secret' } });
    assert.equal((await read(session, sim, 'Tank1.Level')).statusCode.name, 'Good');

    const client = await newClient(t);
    await client.connect(sim.endpoint);
    await assert.rejects(client.createSession({ type: UserTokenType.UserName, userName: 'alice', password: 'wrong' }), /BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/);
    const tokens = (await client.getEndpoints()).flatMap((e) => (e.userIdentityTokens ?? []).map((p) => UserTokenType[p.tokenType]));
    assert.ok(tokens.includes('UserName') && !tokens.includes('Anonymous'), tokens.join());
    await assert.rejects(client.createSession({ type: UserTokenType.Anonymous }), /ANONYMOUS user token policy/);
    assert.equal(sim.stats().sessions, 1);
  });

  it('serves SignAndEncrypt with Basic256Sha256 to a client that trusts the server certificate', async (t) => {
    const sim = await startSimulator(t, { securityModes: ['SignAndEncrypt'], securityPolicies: ['Basic256Sha256'] });
    const { client, session } = await connect(t, sim, {
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      trustServer: sim.certificateFile,
      user: { userName: 'operator', password: 'operator' },
    });
    assert.equal((await read(session, sim, 'Pump1.Speed')).statusCode.name, 'Good');
    const endpoints = await client.getEndpoints();
    assert.deepEqual(
      endpoints.map((e) => [MessageSecurityMode[e.securityMode], e.securityPolicyUri!.split('#')[1]]),
      [['SignAndEncrypt', 'Basic256Sha256']],
    );
    // A client asking for no security finds no endpoint for it.
    const plain = await newClient(t);
    await assert.rejects(async () => {
      await plain.connect(sim.endpoint);
      await plain.createSession();
    });
  });

  it('refuses an unknown client certificate without trustAllClients, and keeps it in rejected/', async (t) => {
    const pkiDir = await tempDir(t, 'strict-pki');
    const sim = await startSimulator(t, { pkiDir, trustAllClients: false, securityModes: ['Sign'], securityPolicies: ['Aes128_Sha256_RsaOaep'] });
    const client = await newClient(t, { securityMode: 'Sign', securityPolicy: 'Aes128_Sha256_RsaOaep', trustServer: sim.certificateFile });
    await assert.rejects(async () => {
      await client.connect(sim.endpoint);
      await client.createSession();
    });
    const rejected = await waitFor('the client certificate in rejected/', async () => {
      const files = await readdir(join(pkiDir, 'rejected')).catch(() => []);
      return files.length > 0 ? files : undefined;
    });
    assert.match(rejected[0]!, /\.(pem|der)$/);
  });
});
