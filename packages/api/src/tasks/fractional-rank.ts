// Board order as fractional-index keys (fractional-indexing: base-62 digits, keys compare as plain
// strings, in JS and in SQLite's BINARY collation alike). A move computes one key between its two
// neighbours, so it writes one row; nothing is ever renumbered.
import { generateKeyBetween } from 'fractional-indexing';

/** Longest key we accept from a client; keys the server makes grow by about one character per
 * 30 inserts at the same spot, so this is far beyond real use. */
export const MAX_RANK_LENGTH = 128;
const RANK_PATTERN = /^[0-9A-Za-z]+$/;

/** A key strictly between `before` and `after` (null = open end). */
export function rankBetween(before: string | null, after: string | null): string {
  if (before !== null && after !== null && before >= after) {
    throw new RangeError(`rank ${before} must sort before ${after}`);
  }
  return generateKeyBetween(before, after);
}

/** True for a key fractional-indexing itself would produce (it rejects e.g. trailing zeros). */
export function isValidRank(rank: string): boolean {
  if (rank.length === 0 || rank.length > MAX_RANK_LENGTH || !RANK_PATTERN.test(rank)) return false;
  try {
    generateKeyBetween(rank, null);
    return true;
  } catch {
    return false;
  }
}
