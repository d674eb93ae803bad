/**
 * A user name and password on a connection without message security (`securityMode: None`): the
 * password then travels as the server's user token policy sends it, which on many servers (and any
 * server whose policy for user names is None) is in clear. The gateway still connects, since some
 * closed plant networks run that way on purpose, but says so once when the device starts, naming the
 * device, the endpoint and what to change.
 */
import type { OpcuaConnection } from './connection.js';

/** The warning for a device's connection, or undefined when its password is not at risk. */
export function clearPasswordWarning(deviceId: string, connection: OpcuaConnection): string | undefined {
  const user = connection.user;
  if (connection.securityMode !== 'None' || !user || !('password' in user)) return undefined;
  return (
    `device ${deviceId}: the password of user "${user.userName}" is sent to ${connection.endpoint} over a connection without ` +
    `message security (securityMode None), so anyone on the network path can read it unless the server's user token policy ` +
    `encrypts it. Set securityMode: SignAndEncrypt (securityPolicy Basic256Sha256 or newer) and trust the server's certificate ` +
    `(sensegate opcua certs), or make sure the server's policy for user names encrypts the password`
  );
}
