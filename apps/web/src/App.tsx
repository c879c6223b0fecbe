// Route table. Pages are lazy chunks; the signed-in layout and the header ship in the entry.
import { type RouteSectionProps, Route, Router, revalidate } from '@solidjs/router';
import { ErrorBoundary, lazy, Suspense } from 'solid-js';
import { ErrorState } from './components/ListStates';
import { SignedInLayout } from './layout/SignedInLayout';
import { getSession } from './lib/session';

const LoginPage = lazy(() => import('./auth/LoginPage'));
const SetupPage = lazy(() => import('./auth/SetupPage'));
const AttentionPage = lazy(() => import('./attention/AttentionPage'));
const OverviewPage = lazy(() => import('./overview/OverviewPage'));
const BoardPage = lazy(() => import('./tasks/BoardPage'));
const PipelinesPage = lazy(() => import('./pipelines/PipelinesPage'));
const PipelineRunPage = lazy(() => import('./pipelines/RunPage'));
const FleetPage = lazy(() => import('./agents/FleetPage'));
const AgentDetailPage = lazy(() => import('./agents/AgentDetailPage'));
const SessionsPage = lazy(() => import('./sessions/SessionsPage'));
const CronPage = lazy(() => import('./cron/CronPage'));
const CostsPage = lazy(() => import('./costs/CostsPage'));
const PricesPage = lazy(() => import('./settings/PricesPage'));
const SettingsLayout = lazy(() => import('./settings/SettingsLayout'));
const SettingsIndex = lazy(() => import('./settings/SettingsIndex'));
const UsersPage = lazy(() => import('./settings/UsersPage'));
const ApiKeysPage = lazy(() => import('./settings/ApiKeysPage'));
const AccountPage = lazy(() => import('./settings/AccountPage'));
const WebhooksPage = lazy(() => import('./webhooks/WebhooksPage'));
const DeliveriesPage = lazy(() => import('./webhooks/DeliveriesPage'));
const AuditPage = lazy(() => import('./audit/AuditPage'));
const GatewaysPage = lazy(() => import('./gateways/GatewaysPage'));
const NotFoundPage = lazy(() => import('./layout/NotFoundPage'));

function AppRoot(props: RouteSectionProps) {
  return (
    <ErrorBoundary
      fallback={(error, reset) => (
        <main class="boot-error">
          <h1>Mission Control</h1>
          <ErrorState error={error} onRetry={() => void revalidate(getSession.key).then(reset)} />
        </main>
      )}
    >
      <Suspense fallback={<p class="boot-loading" role="status">Loading Mission Control…</p>}>
        {props.children}
      </Suspense>
    </ErrorBoundary>
  );
}

export function App() {
  return (
    <Router root={AppRoot}>
      <Route path="/login" component={LoginPage} />
      <Route path="/setup" component={SetupPage} />
      <Route path="/" component={SignedInLayout}>
        <Route path="/" component={AttentionPage} />
        <Route path="/system" component={OverviewPage} />
        <Route path="/tasks" component={BoardPage} />
        <Route path="/pipelines" component={PipelinesPage} />
        <Route path="/pipelines/runs/:id" component={PipelineRunPage} />
        <Route path="/agents" component={FleetPage} />
        <Route path="/agents/:agentRef" component={AgentDetailPage} />
        <Route path="/sessions" component={SessionsPage} />
        <Route path="/cron" component={CronPage} />
        <Route path="/costs" component={CostsPage} />
        <Route path="/settings" component={SettingsLayout}>
          <Route path="/prices" component={PricesPage} />
          <Route path="/" component={SettingsIndex} />
          <Route path="/users" component={UsersPage} />
          <Route path="/api-keys" component={ApiKeysPage} />
          <Route path="/account" component={AccountPage} />
          <Route path="/webhooks" component={WebhooksPage} />
          <Route path="/webhooks/deliveries" component={DeliveriesPage} />
          <Route path="/webhooks/:id/deliveries" component={DeliveriesPage} />
          <Route path="/audit" component={AuditPage} />
          <Route path="/gateways" component={GatewaysPage} />
        </Route>
        <Route path="*404" component={NotFoundPage} />
      </Route>
    </Router>
  );
}
