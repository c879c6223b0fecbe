// Board filters: assignee, label, priority, text, gateway. The page mirrors them in the URL.
import { createAsync } from '@solidjs/router';
import { createUniqueId, For } from 'solid-js';
import { trpc } from '../lib/trpc';
import type { BoardFilters } from './board-store';
import { PRIORITIES, PRIORITY_LABELS } from './task-types';

export function FilterBar(props: { filters: BoardFilters; labels: string[]; onChange: (next: Record<string, string | undefined>) => void }) {
  const agents = createAsync(() => trpc.agents.list.query().catch(() => []), { initialValue: [] });
  const gateways = () => [...new Set(agents().map((a) => a.gatewayId).filter((g): g is string => Boolean(g)))].sort();
  const ids = { assignee: createUniqueId(), label: createUniqueId(), priority: createUniqueId(), text: createUniqueId(), gateway: createUniqueId() };
  const set = (key: string, value: string) => props.onChange({ [key]: value || undefined });
  let textTimer: ReturnType<typeof setTimeout> | undefined;

  return (
    <form class="filter-bar" aria-label="Filter tasks" onSubmit={(event) => event.preventDefault()}>
      <div class="field">
        <label for={ids.text}>Search</label>
        <input
          id={ids.text}
          class="input"
          type="search"
          placeholder="Title, text or #number"
          value={props.filters.text ?? ''}
          onInput={(event) => {
            const value = event.currentTarget.value;
            clearTimeout(textTimer);
            textTimer = setTimeout(() => set('q', value.trim()), 300);
          }}
        />
      </div>
      <div class="field">
        <label for={ids.assignee}>Assignee</label>
        <select id={ids.assignee} class="select" onChange={(event) => set('assignee', event.currentTarget.value)}>
          <option value="" selected={!props.filters.assignee}>Anyone</option>
          <option value="unassigned" selected={props.filters.assignee === 'unassigned'}>Unassigned</option>
          <For each={agents()}>{(agent) => <option value={agent.name} selected={props.filters.assignee === agent.name}>{agent.name}</option>}</For>
        </select>
      </div>
      <div class="field">
        <label for={ids.label}>Label</label>
        <select id={ids.label} class="select" onChange={(event) => set('label', event.currentTarget.value)}>
          <option value="" selected={!props.filters.label}>Any label</option>
          <For each={props.labels}>{(label) => <option value={label} selected={props.filters.label === label}>{label}</option>}</For>
        </select>
      </div>
      <div class="field">
        <label for={ids.priority}>Priority</label>
        <select id={ids.priority} class="select" onChange={(event) => set('priority', event.currentTarget.value)}>
          <option value="" selected={!props.filters.priority}>Any priority</option>
          <For each={PRIORITIES}>{(priority) => <option value={priority} selected={props.filters.priority === priority}>{PRIORITY_LABELS[priority]}</option>}</For>
        </select>
      </div>
      <div class="field">
        <label for={ids.gateway}>Gateway</label>
        <select id={ids.gateway} class="select" onChange={(event) => set('gateway', event.currentTarget.value)}>
          <option value="" selected={!props.filters.gateway}>Any gateway</option>
          <For each={gateways()}>{(gateway) => <option value={gateway} selected={props.filters.gateway === gateway}>{gateway}</option>}</For>
        </select>
      </div>
    </form>
  );
}
