/**
 * A failed request in words: the gateway's message and what to do, never a bare status code.
 */
import type { ApiFailure } from '../api.js';

export function Failure({ error, what }: { error: ApiFailure | Error | undefined; what?: string }) {
  if (!error) return null;
  const words = 'words' in error ? (error as ApiFailure).words : error.message;
  return (
    <p class="failure" role="alert">
      {what ? `${what}: ` : ''}
      {words}
    </p>
  );
}
