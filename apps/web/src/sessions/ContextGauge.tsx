// How full a session's context window is (contextTokens of contextLimit). A gauge, not billing:
// it is labelled "context" so nobody reads it as tokens paid for.
import { Show } from 'solid-js';
import { contextLevel, contextPercent, formatCount, formatTokens } from './session-format';

export function ContextGauge(props: { tokens: number | null; limit: number | null }) {
  const percent = () => contextPercent(props.tokens, props.limit);
  return (
    <Show when={props.tokens !== null} fallback={<span class="session-muted">—</span>}>
      <span class="context-gauge" data-level={contextLevel(percent())}>
        <Show when={props.limit !== null && (props.limit ?? 0) > 0}>
          <meter
            class="context-meter"
            min={0}
            max={props.limit ?? 0}
            low={(props.limit ?? 0) * 0.7}
            high={(props.limit ?? 0) * 0.9}
            optimum={0}
            value={Math.min(props.tokens ?? 0, props.limit ?? 0)}
            aria-label={`Context ${formatCount(props.tokens ?? 0)} of ${formatCount(props.limit ?? 0)} tokens`}
          />
        </Show>
        <span class="context-text">
          {formatTokens(props.tokens)}
          <Show when={props.limit !== null}> / {formatTokens(props.limit)}</Show> context
          <Show when={percent() !== null}> ({percent()}%)</Show>
        </span>
      </span>
    </Show>
  );
}
