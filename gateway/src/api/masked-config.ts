/**
 * The configuration file as the API shows it: the text as loaded, with every secret written inline
 * replaced by `********`. A field is taken for a secret by its name (password, token, secret,
 * passphrase, credential, private key, api key), whichever driver or sink it belongs to, so a
 * vendor's secret is masked too when its name says what it is; `{ env: NAME }` and `{ file: PATH }`
 * references are shown, since they only say where the secret is. Masking keeps every line where it
 * was, so problems found in a candidate point at the same lines as in the file.
 *
 * A candidate edited from the masked view still holds the masks: `unmaskSecrets` puts back, for the
 * check only, the running file's value of each secret the candidate left masked at the same field
 * path, so an engineer can check a change without typing every password again. The value never
 * leaves the gateway; a mask at a path the running file has no secret at stays a mask.
 */
import { isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';

const SECRET_NAME = /pass(word|phrase)?$|^pass|token|secret|credential|private_?key|privatekey|api_?key|apikey/i;
const MASK = '********';

interface SecretAt {
  from: number;
  to: number;
  /** The field path as the validator writes it: sinks[0].password. */
  path: string;
  value: string;
}

/** Every secret written inline: where its value is in the text, and its field path. */
function inlineSecrets(text: string): SecretAt[] {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const found: SecretAt[] = [];
  visit(doc, {
    Pair(_, pair, path) {
      if (!isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value)) return;
      const key = String(pair.key.value);
      if (!SECRET_NAME.test(key) || typeof pair.value.value !== 'string' || !pair.value.range) return;
      let at = '';
      path.forEach((node, i) => {
        if (isPair(node) && isScalar(node.key)) at += `${at ? '.' : ''}${String(node.key.value)}`;
        else if (isSeq(node)) at += `[${node.items.indexOf(path[i + 1] as never)}]`;
      });
      at += `${at ? '.' : ''}${key}`;
      found.push({ from: pair.value.range[0], to: pair.value.range[1], path: at, value: pair.value.value });
    },
  });
  return found;
}

export function maskSecrets(text: string): { text: string; masked: string[] } {
  const cuts = inlineSecrets(text);
  let out = text;
  for (const cut of cuts.sort((a, b) => b.from - a.from)) {
    // A block scalar spans lines: the mask keeps them, so later lines do not move.
    const lines = out.slice(cut.from, cut.to).split('\n').length - 1;
    out = out.slice(0, cut.from) + `"${MASK}"` + '\n'.repeat(lines) + out.slice(cut.to);
  }
  return { text: out, masked: cuts.map((c) => c.path).reverse() };
}

/** The candidate with each secret it left masked filled in from the running file (for checking only). */
export function unmaskSecrets(candidate: string, running: string): string {
  const masked = inlineSecrets(candidate).filter((s) => s.value === MASK);
  if (masked.length === 0) return candidate;
  const values = new Map(inlineSecrets(running).map((s) => [s.path, s.value]));
  let out = candidate;
  for (const cut of masked.sort((a, b) => b.from - a.from)) {
    const value = values.get(cut.path);
    // One line, whatever the original's form: the candidate's lines stay where the engineer sees them.
    if (value !== undefined) out = out.slice(0, cut.from) + JSON.stringify(value) + out.slice(cut.to);
  }
  return out;
}
