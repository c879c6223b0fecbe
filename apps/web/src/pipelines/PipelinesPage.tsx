// /pipelines: templates with their run history stats (success rate, median duration, cost per run),
// the editor and the start dialog for operators, and recent runs (all, or one template's). Live: any
// pipeline.* event refreshes the lists.
import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { formatDateTime } from '../lib/format-time';
import { ANY_EVENT, onLiveEvent, onLiveResync } from '../lib/live';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { trpc } from '../lib/trpc';
import { formatDuration, formatRate, formatUsd, statusLabel } from './pipeline-format';
import { ConfirmDialog } from './ConfirmDialog';
import { createLoader } from './loader';
import type { PipelineTemplate } from './pipeline-types';
import { StartRunDialog } from './StartRunDialog';
import { TemplateEditor } from './TemplateEditor';
import './pipelines.css';

export default function PipelinesPage() {
  const user = useCurrentUser();
  const canWrite = () => hasRole(user().role, 'operator');
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams<{ template?: string }>();
  const templatesLoader = createLoader(() => trpc.pipelines.templates.list.query());
  const statsLoader = createLoader(() => trpc.pipelines.stats.query({}));
  const runsLoader = createLoader(() => trpc.pipelines.runs.list.query({ limit: 50, ...(params.template ? { template: params.template } : {}) }));
  const templates = templatesLoader.value;
  const stats = statsLoader.value;
  const runs = runsLoader.value;
  const refetchTemplates = templatesLoader.reload;
  const refetchStats = statsLoader.reload;
  const refetchRuns = runsLoader.reload;
  createEffect(on(() => params.template, () => void refetchRuns(), { defer: true }));
  const [editing, setEditing] = createSignal<PipelineTemplate | 'new' | null>(null);
  const [starting, setStarting] = createSignal<PipelineTemplate | null>(null);
  const [removing, setRemoving] = createSignal<PipelineTemplate | null>(null);
  const statsOf = (id: string) => stats()?.templates.find((s) => s.templateId === id);
  const refresh = () => {
    void refetchTemplates();
    void refetchStats();
    void refetchRuns();
  };
  onLiveEvent(ANY_EVENT, (event) => {
    if (event.type.startsWith('pipeline.')) {
      void refetchRuns();
      if (event.type === 'pipeline.run.completed' || event.type === 'pipeline.run.failed' || event.type === 'pipeline.run.cancelled') void refetchStats();
    }
  });
  onLiveResync(refresh);

  return (
    <section class="page pipelines-page" aria-labelledby="pipelines-title">
      <div class="page-header">
        <h1 id="pipelines-title">Pipelines</h1>
        <Show when={canWrite()}>
          <button type="button" class="button" data-variant="primary" onClick={() => setEditing('new')}>
            New template
          </button>
        </Show>
      </div>
      <p class="page-intro">Multi-step work across agents: each step becomes a task on the board when the steps it depends on are done.</p>

      <section aria-labelledby="pipeline-templates-title">
        <h2 id="pipeline-templates-title">Templates</h2>
        <Show when={!templatesLoader.error()} fallback={<ErrorState error={templatesLoader.error()} onRetry={refresh} />}>
          <Show when={templates()} fallback={<LoadingState label="Loading pipeline templates…" />}>
            {(list) => (
              <Show when={list().length > 0} fallback={<EmptyState>No pipeline templates yet.{canWrite() ? ' Create one with “New template”.' : ''}</EmptyState>}>
                <div class="table-wrap">
                  <table class="table pipelines-table">
                    <thead>
                      <tr>
                        <th scope="col">Template</th>
                        <th scope="col">Steps</th>
                        <th scope="col">Schedule</th>
                        <th scope="col">Runs</th>
                        <th scope="col">Success rate</th>
                        <th scope="col">Median duration</th>
                        <th scope="col">Cost per run</th>
                        <th scope="col"><span class="visually-hidden">Actions</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={list()}>
                        {(template) => (
                          <tr data-template={template.name}>
                            <td data-label="Template">
                              <button type="button" class="link-button" onClick={() => setParams({ template: template.name })}>
                                {template.name}
                              </button>
                              <span class="pipeline-muted"> v{template.version}</span>
                              <Show when={template.description}>
                                <div class="pipeline-muted">{template.description}</div>
                              </Show>
                            </td>
                            <td data-label="Steps">{template.steps.length}</td>
                            <td data-label="Schedule">
                              <Show when={template.schedule} fallback={<span class="pipeline-muted">manual / API</span>}>
                                {(schedule) => (
                                  <span>
                                    <code>{schedule().cron}</code> {schedule().timeZone}
                                    {schedule().enabled ? '' : ' (paused)'}
                                    <Show when={template.nextRunAt}>
                                      <div class="pipeline-muted">next {formatDateTime(template.nextRunAt)}</div>
                                    </Show>
                                  </span>
                                )}
                              </Show>
                            </td>
                            <td data-label="Runs">{statsOf(template.id)?.finishedRuns ?? 0} finished, {statsOf(template.id)?.openRuns ?? 0} open</td>
                            <td data-label="Success rate">{formatRate(statsOf(template.id)?.successRate)}</td>
                            <td data-label="Median duration">{formatDuration(statsOf(template.id)?.medianDurationMs)}</td>
                            <td data-label="Cost per run">{formatUsd(statsOf(template.id)?.costPerRunUsd)}</td>
                            <td class="table-actions">
                              <Show when={canWrite()}>
                                <button type="button" class="button" onClick={() => setStarting(template)}>
                                  Start run of {template.name}
                                </button>
                                <button type="button" class="button" onClick={() => setEditing(template)}>
                                  Edit {template.name}
                                </button>
                                <button type="button" class="button" onClick={() => setRemoving(template)}>
                                  Remove {template.name}
                                </button>
                              </Show>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Show>
            )}
          </Show>
        </Show>
      </section>

      <section aria-labelledby="pipeline-runs-title">
        <h2 id="pipeline-runs-title">{params.template ? `Runs of ${params.template}` : 'Recent runs'}</h2>
        <Show when={params.template}>
          <button type="button" class="button" onClick={() => setParams({ template: undefined })}>
            Show all runs
          </button>
        </Show>
        <Show when={!runsLoader.error()} fallback={<ErrorState error={runsLoader.error()} onRetry={() => void refetchRuns()} />}>
          <Show when={runs()} fallback={<LoadingState label="Loading runs…" />}>
            {(page) => (
              <Show when={page().items.length > 0} fallback={<EmptyState>No runs yet.</EmptyState>}>
                <div class="table-wrap">
                  <table class="table pipeline-runs-table">
                    <thead>
                      <tr>
                        <th scope="col">Run</th>
                        <th scope="col">Status</th>
                        <th scope="col">Trigger</th>
                        <th scope="col">Started</th>
                        <th scope="col">Duration</th>
                        <th scope="col">Cost</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={page().items}>
                        {(run) => (
                          <tr data-status={run.status}>
                            <td data-label="Run">
                              <A href={`/pipelines/runs/${run.id}`}>{run.templateName} · {run.id.slice(0, 8)}</A>
                            </td>
                            <td data-label="Status">
                              <span class="pipeline-status" data-status={run.status}>{statusLabel(run.status)}</span>
                              <Show when={run.failureReason}>
                                <div class="pipeline-muted">{run.failureReason}</div>
                              </Show>
                            </td>
                            <td data-label="Trigger">{run.trigger}</td>
                            <td data-label="Started">{formatDateTime(run.startedAt)}</td>
                            <td data-label="Duration">{formatDuration(run.durationMs)}</td>
                            <td data-label="Cost">{formatUsd(run.costUsd)}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Show>
            )}
          </Show>
        </Show>
      </section>

      <Show when={editing()} keyed>
        {(current) => (
          <TemplateEditor
            template={current === 'new' ? null : current}
            onClose={() => setEditing(null)}
            onSaved={() => {
              refresh();
              setEditing(null);
            }}
          />
        )}
      </Show>
      <Show when={removing()} keyed>
        {(template) => (
          <ConfirmDialog
            title={`Remove ${template.name}?`}
            description="Its versions and run history are removed; tasks stay on the board. A template with an open run cannot be removed."
            confirmLabel="Remove template"
            action={() => trpc.pipelines.templates.remove.mutate({ id: template.id })}
            onClose={(done) => {
              if (done) refresh();
              setRemoving(null);
            }}
          />
        )}
      </Show>
      <Show when={starting()} keyed>
        {(template) => <StartRunDialog template={template} onClose={() => setStarting(null)} onStarted={(run) => navigate(`/pipelines/runs/${run.id}`)} />}
      </Show>
    </section>
  );
}
