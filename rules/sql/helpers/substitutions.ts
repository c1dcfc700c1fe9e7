/**
 * Helpers for host-language substitutions (`${expr}`) in embedded SQL: where a substitution's
 * placeholder token sits, and whether it sits inside a quoted string or identifier
 * (`'%${term}%'`, `"${column}"`). The tokenizer splits an interrupted quote into an opening
 * piece, the placeholder and a continuation piece; these helpers read that shape back.
 */

import type { SqlSource, SqlStatement } from '../../engine/languages/sql/source';
import type { StatementModel } from '../../engine/languages/sql/structure';
import type { SqlDialect } from '../../engine/types';

/** Where a substitution's placeholder token is: its statement and token index, or null (e.g. in a comment). */
export function placeholderOf(source: SqlSource, substitution: number): { statement: SqlStatement; index: number } | null {
  for (const statement of source.statements) {
    const index = statement.model.tokens.findIndex((token) => token.kind === 'placeholder' && token.substitution === substitution);
    if (index !== -1) return { statement, index };
  }
  return null;
}

export interface QuotedSubstitution {
  /** The quote character of the enclosing string or identifier: `'`, `"` or a backtick. */
  quote: string;
  /** 'string' for values, 'quotedIdentifier' for names (a dialect's `"` or backtick). */
  kind: 'string' | 'quotedIdentifier';
  /** Token index of the quote's opening piece and of its continuation after the placeholder (or -1). */
  openIndex: number;
  closeIndex: number;
  /** True when the quote holds exactly this one substitution and nothing else: `'${name}'`. */
  exact: boolean;
}

/**
 * The quoted string or identifier that the placeholder at `index` is inside, or null when it
 * stands on its own in the SQL.
 */
export function quotedSubstitution(model: StatementModel, index: number, dialect: SqlDialect): QuotedSubstitution | null {
  const tokens = model.tokens;
  const placeholder = tokens[index];
  if (placeholder?.kind !== 'placeholder' || placeholder.substitution === undefined) return null;
  const opening = openingPieceBefore(model, index, dialect);
  if (opening === null) return null;
  // The continuation: after any directly adjacent placeholders, the quoted piece that resumes.
  let after = index + 1;
  while (isAdjacent(model, after - 1, after) && tokens[after]?.kind === 'placeholder') after++;
  const continuation = tokens[after];
  const closeIndex = continuation !== undefined && isAdjacent(model, after - 1, after) && continuation.kind === opening.kind ? after : -1;
  const openToken = tokens[opening.index];
  const closeToken = tokens[closeIndex];
  const exact = opening.index === index - 1 && closeIndex === index + 1 && openToken?.text === opening.quote && closeToken?.text === opening.quote;
  return { quote: opening.quote, kind: opening.kind, openIndex: opening.index, closeIndex, exact };
}

function isAdjacent(model: StatementModel, left: number, right: number): boolean {
  const leftToken = model.tokens[left];
  const rightToken = model.tokens[right];
  return leftToken !== undefined && rightToken !== undefined && leftToken.end === rightToken.start;
}

function isQuotedKind(kind: string): kind is 'string' | 'quotedIdentifier' {
  return kind === 'string' || kind === 'quotedIdentifier';
}

/**
 * The quoted piece whose quote is still open when the placeholder at `index` begins: walks left
 * over adjacent placeholders to an adjacent string piece that does not close its quote.
 */
function openingPieceBefore(model: StatementModel, index: number, dialect: SqlDialect): OpeningPiece | null {
  const tokens = model.tokens;
  // Pieces that follow a placeholder (a continuation may have no opening quote of its own),
  // collected leftwards with a loop, then resolved from the leftmost: a quoted text with
  // thousands of substitutions would otherwise recurse as deep (#15).
  const continuations: { at: number; text: string; kind: 'string' | 'quotedIdentifier' }[] = [];
  let opening: OpeningPiece | null = null;
  for (let at = index; ; ) {
    let before = at - 1;
    while (isAdjacent(model, before, before + 1) && tokens[before]?.kind === 'placeholder') before--;
    const piece = tokens[before];
    if (piece === undefined || !isAdjacent(model, before, before + 1) || !isQuotedKind(piece.kind)) break;
    const previous = tokens[before - 1];
    if (previous?.kind === 'placeholder' && isAdjacent(model, before - 1, before)) {
      continuations.push({ at: before, text: piece.text, kind: piece.kind });
      at = before - 1;
      continue;
    }
    opening = ownOpening(piece.text, before, piece.kind, dialect);
    break;
  }
  for (let index = continuations.length - 1; index >= 0; index--) {
    const piece = continuations[index] as { at: number; text: string; kind: 'string' | 'quotedIdentifier' };
    if (opening !== null && opening.kind === piece.kind) opening = closesQuote(piece.text, 0, opening.quote, dialect) ? null : opening;
    else opening = ownOpening(piece.text, piece.at, piece.kind, dialect);
  }
  return opening;
}

interface OpeningPiece {
  index: number;
  quote: string;
  kind: 'string' | 'quotedIdentifier';
}

/** The piece's own opening quote, when the piece leaves it open. */
function ownOpening(text: string, index: number, kind: 'string' | 'quotedIdentifier', dialect: SqlDialect): OpeningPiece | null {
  const quoteAt = text.search(/['"`]/);
  const quote = quoteAt === -1 ? '' : (text[quoteAt] ?? '');
  if (quote === '') return null;
  return closesQuote(text, quoteAt + 1, quote, dialect) ? null : { index, quote, kind };
}

/** True when `text` from `from` contains the quote's closing character (doubled quotes escape). */
function closesQuote(text: string, from: number, quote: string, dialect: SqlDialect): boolean {
  const backslashEscapes = dialect === 'mysql' || dialect === 'mariadb' || dialect === 'bigquery';
  for (let position = from; position < text.length; position++) {
    const character = text[position];
    if (backslashEscapes && character === '\\') {
      position++;
      continue;
    }
    if (character !== quote) continue;
    if (text[position + 1] === quote) {
      position++;
      continue;
    }
    return true;
  }
  return false;
}
