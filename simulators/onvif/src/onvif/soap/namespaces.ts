/** The namespaces of ONVIF Profile S and WS-Discovery, under the prefixes real cameras use. */
export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  ter: 'http://www.onvif.org/ver10/error',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsa5: 'http://www.w3.org/2005/08/addressing',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wstop: 'http://docs.oasis-open.org/wsn/t-1',
  tns1: 'http://www.onvif.org/ver10/topics',
  d: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
} as const;

/** `xmlns:p="..."` for every prefix, so a body may use any of them. */
export const ALL_XMLNS: Record<string, string> = Object.fromEntries(Object.entries(NS).map(([p, uri]) => [`xmlns:${p}`, uri]));
