/**
 * A small SOAP 1.2 client for one camera: signs requests with a WS-UsernameToken made with the
 * camera's clock (unless `auth: digest`), sends them through the bounded exchange (http-post.ts),
 * and turns the answer into the response element or a SoapFault. Every error names the operation.
 * It keeps its own keep-alive agents, so `close()` ends every socket it opened, a long poll included.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CameraClock } from './camera-clock.js';
import { envelope, usernameToken, type Operation } from './envelope.js';
import { HttpStatusError, NotSoap, SoapFault } from './errors.js';
import { postSoap } from './http-post.js';
import { child, children, textAt, type XmlElement } from './xml-tree.js';

export interface SoapClientOptions {
  user?: string | undefined;
  password?: string | undefined;
  /** `digest`: no UsernameToken, HTTP Digest only. */
  auth: 'ws-security' | 'digest';
  /** Deadline of one request, ms (a long poll adds its wait). */
  timeoutMs: number;
  /** Largest answer read, bytes. */
  maxReplyBytes: number;
  allowBasicOverHttp: boolean;
}

export interface CallOptions {
  /** Add the UsernameToken (default true; GetSystemDateAndTime is asked first without it). */
  signed?: boolean;
  /** More header blocks, as XML (WS-Addressing `To` for a pull point). */
  header?: string;
  /** How long the camera may hold the request (a PullMessages long poll), ms. */
  waitMs?: number;
}

export class SoapClient {
  readonly clock = new CameraClock();
  private readonly agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 4 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 4 }) };
  private readonly closing = new AbortController();

  constructor(private readonly options: SoapClientOptions) {}

  get signs(): boolean {
    return this.options.auth === 'ws-security' && this.options.user !== undefined && this.options.password !== undefined;
  }

  /** Sends `op` to `url`; resolves with the Body's first element (the operation's response). */
  async call(url: URL, op: Operation, o: CallOptions = {}): Promise<XmlElement> {
    const o2 = this.options;
    const header = (o.signed !== false && this.signs ? usernameToken(o2.user!, o2.password!, this.clock.now()) : '') + (o.header ?? '');
    try {
      const answer = await postSoap({
        url,
        body: envelope(op.xml, header),
        action: op.action,
        agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
        timeoutMs: o2.timeoutMs + (o.waitMs ?? 0),
        maxBytes: o2.maxReplyBytes,
        credentials: o2.user !== undefined ? { user: o2.user, password: o2.password ?? '' } : undefined,
        allowBasicOverHttp: o2.allowBasicOverHttp,
        signal: this.closing.signal,
      });
      const body = answer.root.name === 'Envelope' ? child(answer.root, 'Body') : undefined;
      if (!body) throw new NotSoap(`the answer is not a SOAP envelope (root element ${answer.root.name})`);
      const fault = child(body, 'Fault');
      if (fault) throw readFault(fault);
      if (answer.status < 200 || answer.status >= 300) throw new HttpStatusError(answer.status, `HTTP ${answer.status} with a SOAP body that is no fault`);
      return body.children[0] ?? body;
    } catch (err) {
      if (err instanceof Error) {
        try {
          err.message = `${op.name}: ${err.message}`;
        } catch {
          // A read-only message (a DOMException): the error goes on as it is.
        }
      }
      throw err;
    }
  }

  /** Ends every request in flight and closes the sockets. */
  close(): void {
    this.closing.abort();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** SOAP 1.2 (Code/Value, nested Subcode/Value, Reason/Text) or 1.1 (faultcode, faultstring). */
function readFault(fault: XmlElement): SoapFault {
  const codes: string[] = [];
  let code = child(fault, 'Code');
  for (let depth = 0; code && depth < 8; depth++) {
    const value = textAt(code, 'Value');
    if (value) codes.push(value);
    code = child(code, 'Subcode');
  }
  const legacy = textAt(fault, 'faultcode');
  if (legacy) codes.push(legacy);
  const reason = children(child(fault, 'Reason'), 'Text')[0]?.text.trim() ?? textAt(fault, 'faultstring') ?? '';
  return new SoapFault(codes, reason.slice(0, 300));
}
