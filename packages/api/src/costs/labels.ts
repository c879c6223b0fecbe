// Display names for dimension keys: agent names, task titles, gateway names. Tables owned by other features
// are read only when they exist (the costs feature does not depend on them being installed).
import type BetterSqlite3 from 'better-sqlite3';
import type { Dimension } from './rollup-query.ts';

const SOURCES: Partial<Record<Dimension, { table: string; label: string }>> = {
  agentId: { table: 'Agent', label: 'name' },
  taskId: { table: 'Task', label: 'title' },
  gatewayId: { table: 'Gateway', label: 'name' },
};

export function createLabelLookup(sqlite: BetterSqlite3.Database) {
  const columnsOf = sqlite.prepare(`SELECT name FROM pragma_table_info(?)`);

  /** key → label for the keys that have one; '' (absent) is labelled by the caller. */
  function labelsFor(dimension: Dimension, keys: readonly string[]): Map<string, string> {
    const source = SOURCES[dimension];
    const labels = new Map<string, string>();
    const wanted = keys.filter((key) => key !== '');
    if (!source || wanted.length === 0) return labels;
    const columns = new Set((columnsOf.all(source.table) as { name: string }[]).map((row) => row.name));
    if (!columns.has('id') || !columns.has(source.label)) return labels;
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const rows = sqlite
        .prepare(`SELECT id, "${source.label}" AS label FROM "${source.table}" WHERE id IN (${chunk.map(() => '?').join(', ')})`)
        .all(...chunk) as { id: string; label: string | null }[];
      for (const row of rows) if (row.label) labels.set(String(row.id), row.label);
    }
    return labels;
  }

  return { labelsFor };
}
