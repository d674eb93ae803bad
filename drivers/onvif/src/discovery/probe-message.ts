/** The WS-Discovery (2005/04, the version ONVIF uses) Probe for network video transmitters. */
import { randomUUID } from 'node:crypto';

export function probeMessage(messageId = `urn:uuid:${randomUUID()}`): { messageId: string; bytes: Buffer } {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"' +
    ' xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    '<s:Header>' +
    `<a:MessageID>${messageId}</a:MessageID>` +
    '<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>' +
    '</s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>' +
    '</s:Envelope>';
  return { messageId, bytes: Buffer.from(xml, 'utf8') };
}
