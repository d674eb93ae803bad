/**
 * The one error a bad expression gives at compile time. Its message stands alone in a
 * configuration report: it quotes the expression, says where (a 1-based column) and what was
 * expected there, e.g.
 * `expression "flow * * 2": unexpected "*" at column 8; expected a number, a point, a function call or "("`.
 */

/** Longest source quoted whole in a message; a longer one is quoted around the column. */
const QUOTE_WHOLE = 120;
/** Characters shown on each side of the column when a long source is quoted. */
const QUOTE_WINDOW = 50;

/** An expression that cannot be compiled: a syntax error, an unknown function, a wrong argument count, or a limit. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  /**
   * @param source the expression as written
   * @param column 1-based column (UTF-16 code unit) where the problem is
   * @param problem what is wrong, e.g. `unexpected "*"`
   * @param expected what would have been right there, if that can be said
   */
  constructor(
    readonly source: string,
    readonly column: number,
    problem: string,
    expected?: string,
  ) {
    super(`expression ${quoteSource(source, column)}: ${problem} at column ${column}${expected ? `; expected ${expected}` : ''}`);
  }
}

/** The source in double quotes; a long one cut to the part around the column, so the message stays readable. */
function quoteSource(source: string, column: number): string {
  if (source.length <= QUOTE_WHOLE) return JSON.stringify(source);
  const from = Math.max(0, column - 1 - QUOTE_WINDOW);
  const to = Math.min(source.length, column - 1 + QUOTE_WINDOW);
  return JSON.stringify(`${from > 0 ? '…' : ''}${source.slice(from, to)}${to < source.length ? '…' : ''}`);
}
