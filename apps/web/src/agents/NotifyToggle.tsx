// "Notify me when an agent needs input": asks for the browser's permission when switched on.
import { createSignal, createUniqueId, Show } from 'solid-js';
import { needsInputNotificationsOn, notificationPermission, setNeedsInputNotifications } from './needs-input-notifier';

export function NotifyToggle() {
  const inputId = createUniqueId();
  const hintId = createUniqueId();
  const [asking, setAsking] = createSignal(false);
  const hint = () => {
    switch (notificationPermission()) {
      case 'unsupported':
        return 'This browser cannot show notifications.';
      case 'denied':
        return "Notifications are blocked for this site. Allow them in the browser's site settings, then switch this on.";
      default:
        return needsInputNotificationsOn() ? 'You get one notification per agent while this tab is in the background.' : '';
    }
  };

  async function handleChange(event: Event & { currentTarget: HTMLInputElement }) {
    const input = event.currentTarget;
    setAsking(true);
    try {
      await setNeedsInputNotifications(input.checked);
    } finally {
      setAsking(false);
      input.checked = needsInputNotificationsOn(); // refused: the switch flips back
    }
  }

  return (
    <div class="notify-toggle">
      <div class="notify-toggle-control">
        <input
          id={inputId}
          type="checkbox"
          checked={needsInputNotificationsOn()}
          disabled={asking() || notificationPermission() === 'unsupported'}
          aria-describedby={hintId}
          onChange={(event) => void handleChange(event)}
        />
        <label for={inputId}>Notify me when an agent needs input</label>
      </div>
      <p id={hintId} class="field-hint" role="status">
        <Show when={hint()}>{hint()}</Show>
      </p>
    </div>
  );
}
