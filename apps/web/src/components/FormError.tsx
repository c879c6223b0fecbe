// A form's or dialog's error text, announced when it appears; renders nothing without one.
import { Show } from 'solid-js';

export function FormError(props: { message: string | null | undefined; id?: string }) {
  return (
    <Show when={props.message}>
      {(message) => (
        <p id={props.id} class="form-error" role="alert">
          {message()}
        </p>
      )}
    </Show>
  );
}
