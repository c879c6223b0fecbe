// The pinned price table shipped with the server (models.json, a byte-identical copy of
// shared/pricing/models.json). A JSON import, so vitest, tsx and an esbuild bundle all embed it.

import pinnedPrices from './models.json' with { type: 'json' };
import { loadPriceTable, type PriceTable } from './price-table.ts';

let defaultTable: PriceTable | undefined;

/** Validated once, then shared: a PriceTable is frozen, so sharing it is safe. */
export function loadDefaultPriceTable(): PriceTable {
  defaultTable ??= loadPriceTable(pinnedPrices);
  return defaultTable;
}
