// Text for cron jobs and runs: durations, run statuses and failures in a row.
const RUN_STATUS_LABELS: Record<string, string> = {
  ok: 'Succeeded',
  success: 'Succeeded',
  completed: 'Succeeded',
  error: 'Failed',
  failed: 'Failed',
  skipped: 'Skipped',
  running: 'Running',
  started: 'Running',
  timeout: 'Timed out',
  aborted: 'Aborted',
};

export function runStatusLabel(status: string): string {
  return RUN_STATUS_LABELS[status] ?? status;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (minutes < 60) return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** none, warning from the first failure in a row, alert from the third. */
export function failureLevel(consecutiveErrors: number): 'none' | 'warning' | 'alert' {
  if (consecutiveErrors >= 3) return 'alert';
  if (consecutiveErrors >= 1) return 'warning';
  return 'none';
}

export function failureText(consecutiveErrors: number): string {
  if (consecutiveErrors <= 0) return 'None';
  if (consecutiveErrors === 1) return '1 failure';
  return `${consecutiveErrors} failures in a row`;
}
