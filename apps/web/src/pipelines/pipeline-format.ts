// Display helpers for pipelines: durations, money, status labels. Pure.
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '—';
  return usd < 0.01 && usd > 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}

const LABELS: Record<string, string> = {
  queued: 'Queued', pending: 'Pending', ready: 'In queue', running: 'Running', waiting_approval: 'Awaiting approval',
  succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled',
};
export function statusLabel(status: string): string {
  return LABELS[status] ?? status;
}

/** Steps grouped into columns by depth (0 = no dependencies), in template order within a column. */
export function columnsByDepth<T extends { depth: number }>(steps: readonly T[]): T[][] {
  const columns: T[][] = [];
  for (const step of steps) {
    const column = columns[step.depth] ?? [];
    column.push(step);
    columns[step.depth] = column;
  }
  return columns.map((c) => c ?? []);
}
