// A yes/no confirmation as an alertdialog (no window.confirm): the action runs, then it closes.
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';

export function ConfirmDialog(props: { title: string; description: string; confirmLabel: string; action: () => Promise<unknown>; onClose: (done: boolean) => void }) {
  const run = createMutation(() => props.action());
  return (
    <Dialog title={props.title} description={props.description} role="alertdialog" onClose={() => props.onClose(false)}>
      <FormError message={run.error()} />
      <div class="form-actions">
        <button
          type="button"
          class="button"
          data-variant="danger"
          disabled={run.pending()}
          onClick={() => void run.run().then((outcome) => outcome.ok && props.onClose(true))}
        >
          {props.confirmLabel}
        </button>
        <button type="button" class="button" data-autofocus onClick={() => props.onClose(false)}>
          Keep it
        </button>
      </div>
    </Dialog>
  );
}
