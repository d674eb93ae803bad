/** Secrets are an SDK concept, shared with drivers' connection blocks; the gateway resolves them. */
export { Secret, resolveSecret, secret, type SecretRef, type SecretScope } from '@sensegate/sdk';
