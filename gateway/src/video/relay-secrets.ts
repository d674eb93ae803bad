/**
 * The relay's two tokens, resolved from the configuration (`{ env }`, `{ file }` or inline) and
 * checked as the schema cannot check references: each at least 8 characters, and the publish
 * token never the players' token. Used when the gateway starts and by `sensegate validate`, so a
 * bad secret is found before a site visit.
 */
import { SensegateError } from '@sensegate/sdk';
import { resolveSecret } from '../config/secret.js';
import type { PublishSettings } from './relay/publish-policy.js';
import type { RelayConfig } from './schema.js';

export interface RelaySecrets {
  token?: string;
  publish?: PublishSettings;
}

export function resolveRelaySecrets(relay: RelayConfig, scope: { baseDir: string; env: NodeJS.ProcessEnv; source: string }): RelaySecrets {
  const reveal = (ref: Parameters<typeof resolveSecret>[0], path: string) => resolveSecret(ref, { ...scope, path }).reveal();
  const token = relay.token === undefined ? undefined : reveal(relay.token, 'video.relay.token');
  if (token !== undefined && token.length < 8) {
    throw new SensegateError('SG_CONFIG_INVALID', `${scope.source}: video.relay.token must be at least 8 characters (it has ${token.length})`);
  }
  if (!relay.publish) return token === undefined ? {} : { token };
  const publishToken = reveal(relay.publish.token, 'video.relay.publish.token');
  if (publishToken.length < 8) {
    throw new SensegateError('SG_CONFIG_INVALID', `${scope.source}: video.relay.publish.token must be at least 8 characters (it has ${publishToken.length})`);
  }
  if (publishToken === token) {
    throw new SensegateError(
      'SG_CONFIG_INVALID',
      `${scope.source}: video.relay.publish.token is the same as video.relay.token; give encoders a token of their own, because player URLs carry the players' token and must never let anyone publish`,
    );
  }
  return {
    ...(token === undefined ? {} : { token }),
    publish: { token: publishToken, paths: relay.publish.paths, from: relay.publish.from },
  };
}
