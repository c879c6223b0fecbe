// /pipelines/runs/:id: one run as its DAG, steps in columns by depth (plain boxes), each with its
// status, agent, duration and cost and a link to its task; live: pipeline events of this run and
// moves of its tasks refetch it. Operators can cancel an open run and approve or reject a step
// waiting for approval.
import { A, useParams } from '@solidjs/router';
import { createEffect, createSignal, createUniqueId, For, on, Show } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
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

/** Reject = the attempt fails: retried as a new task while the step has retries left, else the run fails. */
function RejectStepDialog(props: { runId: string; step: PipelineStepView; onClose: (done: boolean) => void }) {
  const [reason, setReason] = createSignal('');
  const reject = createMutation(() => trpc.pipelines.runs.rejectStep.mutate({ runId: props.runId, stepKey: props.step.key, ...(reason().trim() ? { reason: reason().trim() } : {}) }));
  const retriesLeft = () => props.step.retries + 1 - props.step.attempt;
  const id = createUniqueId();
  async function submit(event: SubmitEvent) {
    event.preventDefault();
    if ((await reject.run()).ok) props.onClose(true);
  }
  return (
    <Dialog
      title={`Reject step ${props.step.key}?`}
      role="alertdialog"
      description={
        retriesLeft() > 0
          ? `The attempt fails: its task is closed and the step is retried as a new task (${retriesLeft()} ${retriesLeft() === 1 ? 'retry' : 'retries'} left).`
          : 'The attempt fails and the step has no retries left, so the run fails with your reason.'
      }
      onClose={() => props.onClose(false)}
    >
      <form class="form" onSubmit={(event) => void submit(event)}>
        <div class="field">
          <label for={id}>Reason (optional)</label>
          <textarea id={id} class="input" rows={3} maxLength={500} value={reason()} onInput={(e) => setReason(e.currentTarget.value)} data-autofocus />
        </div>
        <FormError message={reject.error()} />
        <div class="form-actions">
          <button type="submit" class="button" data-variant="danger" disabled={reject.pending()}>
            Reject step
          </button>
          <button type="button" class="button" onClick={() => props.onClose(false)}>
            Keep waiting
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Approve (one click) and Reject (a dialog, owned by the page so a live refetch does not close it); operators and admins. */
function StepDecision(props: { runId: string; step: PipelineStepView; onDecided: () => void; onReject: () => void }) {
  const approve = createMutation(() => trpc.pipelines.runs.approveStep.mutate({ runId: props.runId, stepKey: props.step.key }));
  return (
    <>
      <div class="pipeline-step-actions">
        <button
          type="button"
          class="button"
          data-variant="primary"
          disabled={approve.pending()}
          aria-label={`Approve step ${props.step.key}`}
          onClick={async () => {
            if ((await approve.run()).ok) props.onDecided();
          }}
        >
          Approve
        </button>
        <button type="button" class="button" aria-label={`Reject step ${props.step.key}`} onClick={() => props.onReject()}>
          Reject
        </button>
      </div>
      <FormError message={approve.error()} />
    </>
  );
}

function StepBox(props: { step: PipelineStepView; runId: string; canDecide: boolean; onDecided: () => void; onReject: () => void }) {
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
      <Show when={props.canDecide && props.step.status === 'waiting_approval'}>
        <StepDecision runId={props.runId} step={props.step} onDecided={props.onDecided} onReject={props.onReject} />
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
  const [rejecting, setRejecting] = createSignal<string | null>(null);
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
              <Show when={current().steps.find((s) => s.key === rejecting())}>
                {(step) => (
                  <RejectStepDialog
                    runId={current().id}
                    step={step()}
                    onClose={(done) => {
                      setRejecting(null);
                      if (done) void refetch();
                    }}
                  />
                )}
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
                      <For each={column}>
                        {(step) => (
                          <StepBox step={step} runId={current().id} canDecide={hasRole(user().role, 'operator')} onDecided={() => void refetch()} onReject={() => setRejecting(step.key)} />
                        )}
                      </For>
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
