/**
 * What the services need from an incoming SOAP request: the operation (the first element of the
 * Body), its element to read arguments from, and the WS-Security UsernameToken if one was sent.
 */
import { child, childText, descendant, parseXml, XmlSyntaxError, type XmlElement } from '../xml/parse.js';

export interface UsernameToken {
  readonly username: string;
  readonly password: string;
  /** `PasswordDigest` or `PasswordText`, from the Password's Type URI (digest when absent or unknown). */
  readonly passwordType: 'PasswordDigest' | 'PasswordText';
  readonly nonce: string | undefined;
  readonly created: string | undefined;
}

export interface SoapRequest {
  readonly operation: string;
  readonly body: XmlElement;
  readonly usernameToken: UsernameToken | undefined;
}

/** Throws XmlSyntaxError for text that is not XML or not a SOAP envelope with an operation. */
export function parseSoapRequest(text: string): SoapRequest {
  const root = parseXml(text);
  if (root.name !== 'Envelope') throw new XmlSyntaxError(`the root element is <${root.name}>, not a SOAP Envelope`);
  const body = child(root, 'Body');
  const operation = body?.children[0];
  if (!operation) throw new XmlSyntaxError('the SOAP Body holds no operation');
  const token = descendant(child(root, 'Header'), 'UsernameToken');
  return { operation: operation.name, body: operation, usernameToken: token ? readToken(token) : undefined };
}

function readToken(token: XmlElement): UsernameToken {
  const password = child(token, 'Password');
  const type = password?.attributes['Type'] ?? '';
  return {
    username: childText(token, 'Username') ?? '',
    password: password?.text.trim() ?? '',
    passwordType: type.endsWith('#PasswordText') ? 'PasswordText' : 'PasswordDigest',
    nonce: childText(token, 'Nonce'),
    created: childText(token, 'Created'),
  };
}
