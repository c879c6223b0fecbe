// Event filter input: family chips (checkboxes styled as chips) plus free-form patterns, e.g.
// `task.created` or `gateway.cron.*`. The value is the list of patterns.
import { createUniqueId, For } from 'solid-js';
import { EVENT_FAMILIES } from './webhook-types';

export function EventFilterField(props: { value: string[]; onChange: (patterns: string[]) => void }) {
  const customId = createUniqueId();
  const hintId = createUniqueId();
  const isFamily = (pattern: string) => (EVENT_FAMILIES as readonly string[]).includes(pattern);
  const custom = () => props.value.filter((pattern) => !isFamily(pattern)).join(', ');

  function toggle(pattern: string, checked: boolean) {
    const rest = props.value.filter((item) => item !== pattern);
    props.onChange(checked ? [...rest, pattern] : rest);
  }

  function setCustom(text: string) {
    const typed = text.split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
    props.onChange([...props.value.filter(isFamily), ...typed]);
  }

  return (
    <fieldset class="event-filter">
      <legend>Events</legend>
      <div class="chip-group">
        <For each={EVENT_FAMILIES}>
          {(pattern) => (
            <label class="chip" data-checked={props.value.includes(pattern) ? 'true' : 'false'}>
              <input type="checkbox" checked={props.value.includes(pattern)} onChange={(event) => toggle(pattern, event.currentTarget.checked)} />
              <span>{pattern === '*' ? 'All events (*)' : pattern}</span>
            </label>
          )}
        </For>
      </div>
      <div class="field">
        <label for={customId}>Other patterns</label>
        <input
          id={customId}
          class="input mono"
          value={custom()}
          placeholder="task.created, gateway.cron.*"
          aria-describedby={hintId}
          onChange={(event) => setCustom(event.currentTarget.value)}
        />
      </div>
      <p id={hintId} class="field-hint">
        An exact type (task.created) or a family ending in .* (agent.* matches agent.updated, agent.connected, …).
      </p>
    </fieldset>
  );
}
