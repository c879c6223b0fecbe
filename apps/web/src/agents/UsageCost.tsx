// A cost in USD with an "unpriced" marker when some usage had no known price. Never "$0.00"
// for usage that simply couldn't be priced.
import { Show } from 'solid-js';
import { describeCost, formatUsdExact, unpricedTitle } from './fleet-format';

export function UsageCost(props: { costUsd: number; unpriced: number }) {
  const cost = () => describeCost(props.costUsd, props.unpriced);
  return (
    <span class="usage-cost">
      <Show when={cost().amount}>{(amount) => <span title={formatUsdExact(props.costUsd)}>{amount()}</span>}</Show>
      <Show when={cost().unpriced}>
        <span class="unpriced-marker" title={unpricedTitle(props.unpriced)}>
          {cost().amount ? '+ unpriced' : 'unpriced'}
        </span>
      </Show>
    </span>
  );
}
