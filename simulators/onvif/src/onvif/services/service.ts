/** The shape every ONVIF service of the simulated camera has: its identity and its operations. */
import type { Camera, ServiceName } from '../camera.js';
import type { SoapFault } from '../soap/envelope.js';
import type { SoapRequest } from '../soap/request.js';
import type { XmlNode } from '../xml/build.js';

/** `path` is the request's URL path: the events service serves its subscriptions below its own. */
export type Operation = (camera: Camera, request: SoapRequest, path: string) => XmlNode | Promise<XmlNode>;

export interface OnvifService {
  readonly name: ServiceName;
  /** The WSDL namespace GetServices advertises (clients map it to a service by its path). */
  readonly namespace: string;
  readonly version: { major: number; minor: number };
  /** The `<Capabilities>` content of GetServices / GetServiceCapabilities. */
  capabilities(camera: Camera): XmlNode;
  readonly operations: Readonly<Record<string, Operation>>;
  /** Operations answered without credentials (ONVIF core access class PRE_AUTH). */
  readonly open: ReadonlySet<string>;
}

/** Thrown by an operation to answer with a SOAP fault. */
export class FaultError extends Error {
  constructor(readonly fault: SoapFault) {
    super(fault.reason);
  }
}
