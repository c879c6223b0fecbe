// Gateway names for the fleet's gateway column and filter (agents carry only the gateway id).
// Read once per page when the fleet has gateway agents; on failure the ids are shown instead.
import { type Accessor, createEffect, createSignal } from 'solid-js';
import { trpc } from '../lib/trpc';

export function createGatewayNames(needed: Accessor<boolean>): (gatewayId: string) => string {
  const [names, setNames] = createSignal<ReadonlyMap<string, string>>(new Map());
  let requested = false;
  createEffect(() => {
    if (!needed() || requested) return;
    requested = true;
    trpc.gateways.list
      .query()
      .then((gateways) => setNames(new Map(gateways.map((gateway) => [gateway.id, gateway.name]))))
      .catch((error: unknown) => console.warn('could not load gateway names; showing ids', error));
  });
  return (gatewayId) => names().get(gatewayId) ?? gatewayId;
}
