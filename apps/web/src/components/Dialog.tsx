// Modal dialog on the native <dialog> element: showModal() makes the page inert, Escape
// closes it (through onClose), Tab wraps inside it, and focus returns to the opener.
import { createUniqueId, type JSX, onCleanup, onMount } from 'solid-js';
import './dialog.css';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: JSX.Element;
  /** alertdialog for confirmations, so screen readers announce them as such. */
  role?: 'dialog' | 'alertdialog';
  description?: string;
}

export function Dialog(props: DialogProps) {
  let dialog: HTMLDialogElement | undefined;
  const titleId = createUniqueId();
  const descriptionId = createUniqueId();
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;

  function focusables(): HTMLElement[] {
    return dialog ? [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)] : [];
  }

  onMount(() => {
    if (!dialog) return;
    dialog.showModal();
    const preferred = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? focusables()[0];
    preferred?.focus();
  });

  onCleanup(() => {
    if (dialog?.open) dialog.close();
    if (opener?.isConnected) opener.focus();
  });

  function trapTab(event: KeyboardEvent) {
    if (event.key !== 'Tab') return;
    const items = focusables();
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <dialog
      ref={dialog}
      class="dialog"
      role={props.role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-labelledby={titleId}
      aria-describedby={props.description ? descriptionId : undefined}
      onCancel={(event) => {
        // Escape: let the owner unmount us instead of the browser closing the element.
        event.preventDefault();
        props.onClose();
      }}
      onKeyDown={trapTab}
    >
      <div class="dialog-body">
        <h2 id={titleId} class="dialog-title">
          {props.title}
        </h2>
        {props.description ? (
          <p id={descriptionId} class="dialog-description">
            {props.description}
          </p>
        ) : null}
        {props.children}
      </div>
    </dialog>
  );
}
