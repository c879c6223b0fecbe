// /pipelines/runs/:id: one run as its DAG, steps in columns by depth (plain boxes), each with its
// status, agent, duration and cost and a link to its task; live: pipeline events of this run and
// moves of its tasks refetch it. Operators can cancel an open run.
import { A, useParams } from '@solidjs/router';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { ErrorState, LoadingState } from '../components/ListStates';
import { formatDateTime } from '../lib/format-time';
import { ANY_EVENT, onLiveEvent, onLiveResync } from '../lib/live';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { trpc } from '../lib/trpc';
import { columnsByDepth, formatDuration, formatUsd, statusLabel } from './pipeline-format';
import { ConfirmDialog } from './ConfirmDialog';
import { createLoader } from './loader';
import type { PipelineStepView } from './pipeline-types';
import './pipelines.css';

const OPEN = ['queued', 'running', 'waiting_approval'];

function StepBox(props: { step: PipelineStepView }) {
  return (
    <li class="pipeline-step" data-status={props.step.status} data-step={props.step.key} aria-label={`Step ${props.step.key}: ${statusLabel(props.step.status)}`}>
      <div class="pipeline-step-title">{props.step.title}</div>
      <div class="pipeline-step-key">
        {props.step.key}
        <Show when={props.step.requiresApproval}> · needs approval</Show>
      </div>
      <dl class="pipeline-step-facts">
        <dt>Status</dt>
        <dd class="pipeline-status" data-status={props.step.status}>
          {statusLabel(props.step.status)}
          <Show when={props.step.attempt > 1}> (attempt {props.step.attempt})</Show>
        </dd>
        <dt>Agent</dt>
        <dd>{props.step.agent?.name ?? props.step.agentName ?? (props.step.role ? `role ${props.step.role}` : '—')}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(props.step.durationMs)}</dd>
        <dt>Cost</dt>
        <dd>{formatUsd(props.step.costUsd)}</dd>
        <Show when={props.step.task}>
          {(task) => (
            <>
              <dt>Task</dt>
              <dd>
                <A href={`/tasks?task=${task().number}`}>#{task().number}</A> ({task().status.replace('_', ' ')})
              </dd>
            </>
          )}
        </Show>
      </dl>
      <Show when={props.step.lastError}>
        <p class="pipeline-step-error">{props.step.lastError}</p>
      </Show>
    </li>
  );
}

export default function RunPage() {
  const params = useParams<{ id: string }>();
  const user = useCurrentUser();
  const loader = createLoader(() => trpc.pipelines.runs.get.query({ id: params.id }));
  const run = loader.value;
  const refetch = loader.reload;
  createEffect(on(() => params.id, () => void refetch(), { defer: true }));
  const [confirming, setConfirming] = createSignal(false);
  const taskIds = () => new Set((run()?.steps ?? []).map((s) => s.task?.id).filter(Boolean));
  onLiveEvent(ANY_EVENT, (event) => {
    const payload = (event.payload ?? {}) as { runId?: string; taskId?: string };
    if (event.type.startsWith('pipeline.') && payload.runId === params.id) void refetch();
    else if (event.type.startsWith('task.') && payload.taskId && taskIds().has(payload.taskId)) void refetch();
  });
  onLiveResync(() => void refetch());

  return (
    <section class="page pipeline-run-page" aria-label="Pipeline run">
      <p>
        <A href="/pipelines">← Pipelines</A>
      </p>
      <Show when={!loader.error()} fallback={<ErrorState error={loader.error()} onRetry={() => void refetch()} />}>
        <Show when={run()} fallback={<LoadingState label="Loading run…" />}>
          {(current) => (
            <>
              <div class="page-header">
                <h1>
                  {current().templateName} <span class="pipeline-muted">run {current().id.slice(0, 8)}</span>
                </h1>
                <Show when={hasRole(user().role, 'operator') && OPEN.includes(current().status)}>
                  <button type="button" class="button" onClick={() => setConfirming(true)}>
                    Cancel run
                  </button>
                </Show>
              </div>
              <Show when={confirming()}>
                <ConfirmDialog
                  title="Cancel this run?"
                  description="Its open tasks are closed with a comment; steps not started are cancelled."
                  confirmLabel="Cancel run"
                  action={() => trpc.pipelines.runs.cancel.mutate({ id: params.id })}
                  onClose={(done) => {
                    setConfirming(false);
                    if (done) void refetch();
                  }}
                />
              </Show>
              <dl class="pipeline-run-facts">
                <dt>Status</dt>
                <dd class="pipeline-status" data-status={current().status} data-testid="run-status">
                  {statusLabel(current().status)}
                </dd>
                <dt>Trigger</dt>
                <dd>{current().trigger}</dd>
                <dt>Version</dt>
                <dd>{current().version}</dd>
                <dt>Started</dt>
                <dd>{formatDateTime(current().startedAt)}</dd>
                <dt>Duration</dt>
                <dd>{formatDuration(current().durationMs)}</dd>
                <dt>Cost</dt>
                <dd>{formatUsd(current().costUsd)}</dd>
                <Show when={Object.keys(current().variables).length > 0}>
                  <dt>Variables</dt>
                  <dd>
                    <For each={Object.entries(current().variables)}>
                      {([name, value]) => (
                        <span class="pipeline-variable">
                          <code>{name}</code> = {value.length > 80 ? `${value.slice(0, 80)}…` : value}
                        </span>
                      )}
                    </For>
                  </dd>
                </Show>
              </dl>
              <Show when={current().failureReason}>
                <p class="notice pipeline-failure" role="alert">
                  {current().failureReason}
                </p>
              </Show>
              <section aria-label="Steps" class="pipeline-dag">
                <For each={columnsByDepth(current().steps)}>
                  {(column, depth) => (
                    <ol class="pipeline-dag-column" aria-label={`Depth ${depth() + 1}`}>
                      <For each={column}>{(step) => <StepBox step={step} />}</For>
                    </ol>
                  )}
                </For>
              </section>
            </>
          )}
        </Show>
      </Show>
    </section>
  );
}
