import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NamespaceMap, parseNodeId, portableNodeId } from '../src/node-id.js';

test('node ids parse by namespace URI, by index, and bare in namespace 0', () => {
  assert.deepEqual(parseNodeId('nsu=urn:plant:water;s=Pump1.Speed'), {
    text: 'nsu=urn:plant:water;s=Pump1.Speed',
    namespace: { uri: 'urn:plant:water' },
    kind: 's',
    identifier: 'Pump1.Speed',
  });
  assert.deepEqual(parseNodeId('ns=3;i=1001').namespace, { index: 3 });
  assert.deepEqual(parseNodeId('i=2258').namespace, { index: 0 });
  // The identifier may itself hold semicolons and equals signs; the URI ends at the first ";s=".
  assert.equal(parseNodeId('nsu=http://x.org/UA/;s=a;b=c').identifier, 'a;b=c');
  assert.equal(parseNodeId('ns=2;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63').kind, 'g');
});

test('malformed node ids say what is wrong', () => {
  assert.match(parseNodeId('Pump1.Speed').problem!, /is not a node id: write nsu=/);
  assert.match(parseNodeId('i=abc').problem!, /numeric identifier is an integer/);
  assert.match(parseNodeId('i=4294967296').problem!, /numeric identifier/);
  assert.match(parseNodeId('ns=70000;i=1').problem!, /above 65535/);
  assert.match(parseNodeId('ns=2;g=not-a-guid').problem!, /GUID/);
  assert.match(parseNodeId('ns=2;s=').problem!, /empty identifier/);
});

test('a namespace URI resolves to its index in each session', () => {
  const map = new NamespaceMap();
  const id = parseNodeId('nsu=urn:plant;s=Tank1.Level');
  map.update(['http://opcfoundation.org/UA/', 'urn:server', 'urn:plant'], []);
  assert.deepEqual(map.resolve(id), { nodeId: 'ns=2;s=Tank1.Level' });
  map.update(['http://opcfoundation.org/UA/', 'urn:server', 'urn:decoy', 'urn:plant'], []);
  assert.deepEqual(map.resolve(id), { nodeId: 'ns=3;s=Tank1.Level' });
  map.update(['http://opcfoundation.org/UA/', 'urn:server'], []);
  assert.deepEqual(map.resolve(id), { problem: 'the server has no namespace urn:plant' });
});

test('an index follows the namespace it named on first contact, with a warning', () => {
  const map = new NamespaceMap();
  const id = parseNodeId('ns=2;s=Tank1.Level');
  assert.deepEqual(map.update(['ua', 'urn:server', 'urn:plant'], [2]), []);
  assert.deepEqual(map.resolve(id), { nodeId: 'ns=2;s=Tank1.Level' });
  const warnings = map.update(['ua', 'urn:server', 'urn:decoy', 'urn:plant'], [2]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /namespace urn:plant moved from ns=2 to ns=3/);
  assert.deepEqual(map.resolve(id), { nodeId: 'ns=3;s=Tank1.Level' });
  map.update(['ua', 'urn:server'], [2]);
  assert.match((map.resolve(id) as { problem: string }).problem, /no longer has namespace urn:plant/);
});

test('browse output names nodes portably', () => {
  assert.equal(portableNodeId(2, 's', 'Pump1.Speed', ['ua', 'urn:server', 'urn:plant']), 'nsu=urn:plant;s=Pump1.Speed');
  assert.equal(portableNodeId(0, 'i', '2258', ['ua']), 'i=2258');
});
