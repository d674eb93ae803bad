/**
 * The configuration file as the API shows it: the text as loaded, with every secret written inline
 * replaced by `********`. A field is taken for a secret by its name (password, token, secret,
 * passphrase, credential, private key, api key), whichever driver or sink it belongs to, so a
 * vendor's secret is masked too when its name says what it is; `{ env: NAME }` and `{ file: PATH }`
 * references are shown, since they only say where the secret is. Masking keeps every line where it
 * was, so problems found in a candidate point at the same lines as in the file.
 */
import { isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';

const SECRET_NAME = /pass(word|phrase)?$|^pass|token|secret|credential|private_?key|privatekey|api_?key|apikey/i;
const MASK = '********';

export function maskSecrets(text: string): { text: string; masked: string[] } {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const cuts: Array<{ from: number; to: number; path: string }> = [];
  visit(doc, {
    Pair(_, pair, path) {
      if (!isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value)) return;
      const key = String(pair.key.value);
      if (!SECRET_NAME.test(key) || typeof pair.value.value !== 'string' || !pair.value.range) return;
      // The field path as the validator writes it: sinks[0].password.
      let at = '';
      path.forEach((node, i) => {
        if (isPair(node) && isScalar(node.key)) at += `${at ? '.' : ''}${String(node.key.value)}`;
        else if (isSeq(node)) at += `[${node.items.indexOf(path[i + 1] as never)}]`;
      });
      at += `${at ? '.' : ''}${key}`;
      cuts.push({ from: pair.value.range[0], to: pair.value.range[1], path: at });
    },
  });
  let out = text;
  for (const cut of cuts.sort((a, b) => b.from - a.from)) {
    // A block scalar spans lines: the mask keeps them, so later lines do not move.
    const lines = out.slice(cut.from, cut.to).split('\n').length - 1;
    out = out.slice(0, cut.from) + `"${MASK}"` + '\n'.repeat(lines) + out.slice(cut.to);
  }
  return { text: out, masked: cuts.map((c) => c.path).reverse() };
}
