// /system : a small system summary (system.overview) and the live "Recent events" feed.
import { createAsync, query, revalidate } from '@solidjs/router';
import { ErrorBoundary, onCleanup, Show, Suspense } from 'solid-js';
import { ErrorState, LoadingState } from '../components/ListStates';
import { formatUptime } from '../lib/format-time';
import { ANY_EVENT, onLiveEvent, onLiveResync } from '../lib/live';
import { type SystemOverview, trpc } from '../lib/trpc';
import { RecentEvents } from './RecentEvents';
import './overview.css';

const getOverview = query(() => trpc.system.overview.query(), 'system.overview');

/** Counts change with most events; refetch at most this often instead of per event. */
const OVERVIEW_REFRESH_MS = 5_000;

function SummaryCards(props: { overview: SystemOverview }) {
  const items = () => [
    { label: 'Users', value: props.overview.users.toLocaleString() },
    { label: 'Active API keys', value: props.overview.activeApiKeys.toLocaleString() },
    { label: 'Events recorded', value: props.overview.events.toLocaleString() },
    { label: 'Uptime', value: formatUptime(props.overview.uptimeS) },
    { label: 'Version', value: props.overview.version },
  ];
  return (
    <dl class="summary-grid">
      {items().map((item) => (
        <div class="summary-card">
          <dt>{item.label}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Summary() {
  const overview = createAsync(() => getOverview());
  return <Show when={overview()}>{(value) => <SummaryCards overview={value()} />}</Show>;
}

export default function OverviewPage() {
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => void revalidate(getOverview.key);
  onLiveResync(refresh);
  onLiveEvent(ANY_EVENT, () => {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = undefined;
      refresh();
    }, OVERVIEW_REFRESH_MS);
  });
  onCleanup(() => clearTimeout(refreshTimer));

  return (
    <section class="page" aria-labelledby="overview-title">
      <div class="page-header">
        <div>
          <h1 id="overview-title">System</h1>
          <p class="page-intro">The state of this Mission Control server.</p>
        </div>
      </div>
      <section aria-label="System summary">
        <ErrorBoundary
          fallback={(error, reset) => (
            <ErrorState error={error} onRetry={() => void revalidate(getOverview.key).then(reset)} />
          )}
        >
          <Suspense fallback={<LoadingState label="Loading summary…" />}>
            <Summary />
          </Suspense>
        </ErrorBoundary>
      </section>
      <RecentEvents />
    </section>
  );
}
