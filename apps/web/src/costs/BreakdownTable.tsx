// Cost by one dimension, sortable by any column (buttons in the headers, aria-sort on the sorted one).
// Rows are a keyed store: a live refetch re-renders only the cells whose numbers changed.
import { createMemo, createSignal, For, Show } from 'solid-js';
import { type BreakdownRow, formatCount, formatTokens, formatUsd } from './costs-api';

type Column = { key: keyof BreakdownRow; label: string; numeric: boolean; format: (row: BreakdownRow) => string };

const COLUMNS: readonly Column[] = [
  { key: 'label', label: 'Name', numeric: false, format: (row) => row.label },
  { key: 'costUsd', label: 'Cost', numeric: true, format: (row) => formatUsd(row.costUsd) },
  { key: 'records', label: 'Records', numeric: true, format: (row) => formatCount(row.records) },
  { key: 'inputTokens', label: 'Input', numeric: true, format: (row) => formatTokens(row.inputTokens) },
  { key: 'outputTokens', label: 'Output', numeric: true, format: (row) => formatTokens(row.outputTokens) },
  { key: 'cacheReadTokens', label: 'Cache read', numeric: true, format: (row) => formatTokens(row.cacheReadTokens) },
  { key: 'cacheWriteTokens', label: 'Cache write', numeric: true, format: (row) => formatTokens(row.cacheWriteTokens) },
  { key: 'cacheSavedUsd', label: 'Cache saved', numeric: true, format: (row) => formatUsd(row.cacheSavedUsd) },
];

export function BreakdownTable(props: { rows: BreakdownRow[]; caption: string; totalRows: number }) {
  const [sortKey, setSortKey] = createSignal<keyof BreakdownRow>('costUsd');
  const [descending, setDescending] = createSignal(true);
  const sorted = createMemo(() => {
    const key = sortKey();
    const direction = descending() ? -1 : 1;
    return [...props.rows].sort((a, b) => {
      const left = a[key];
      const right = b[key];
      const order = typeof left === 'number' && typeof right === 'number' ? left - right : String(left).localeCompare(String(right));
      return order * direction || a.key.localeCompare(b.key);
    });
  });
  function sortBy(column: Column) {
    if (sortKey() === column.key) setDescending((value) => !value);
    else {
      setSortKey(() => column.key);
      setDescending(column.numeric);
    }
  }
  return (
    <div class="table-wrap">
      <table class="table cost-table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <For each={COLUMNS}>
              {(column) => (
                <th scope="col" data-numeric={column.numeric ? 'true' : 'false'} aria-sort={sortKey() === column.key ? (descending() ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" class="sort-button" onClick={() => sortBy(column)}>
                    {column.label}
                    <span aria-hidden="true" class="sort-mark">
                      {sortKey() === column.key ? (descending() ? '▼' : '▲') : ''}
                    </span>
                  </button>
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>
          <For each={sorted()}>
            {(row) => (
              <tr data-key={row.key}>
                <th scope="row">
                  {row.label}
                  <Show when={row.unpricedRecords > 0}>
                    <span class="unpriced-badge" title={`${formatCount(row.unpricedTokens)} tokens without a price`}>
                      {formatCount(row.unpricedRecords)} unpriced
                    </span>
                  </Show>
                </th>
                <For each={COLUMNS.slice(1)}>{(column) => <td data-numeric="true">{column.format(row)}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={props.totalRows > props.rows.length}>
        <p class="table-note">Showing the {props.rows.length} costliest of {formatCount(props.totalRows)}.</p>
      </Show>
    </div>
  );
}
