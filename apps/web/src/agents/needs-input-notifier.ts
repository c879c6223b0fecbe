// Browser notifications for agents that start needing input, opt-in per browser: one
// Notification per transition, only while the tab is hidden (a visible tab shows the badge).
import type { AgentView } from '@mc/api';
import { createSignal } from 'solid-js';

const PREFERENCE_KEY = 'mc.notifyNeedsInput';

export type NotificationSupport = NotificationPermission | 'unsupported';

function currentPermission(): NotificationSupport {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function readPreference(): boolean {
  try {
    return localStorage.getItem(PREFERENCE_KEY) === 'on';
  } catch {
    return false; // storage blocked: the toggle simply starts off
  }
}

function writePreference(on: boolean): void {
  try {
    if (on) localStorage.setItem(PREFERENCE_KEY, 'on');
    else localStorage.removeItem(PREFERENCE_KEY);
  } catch (error) {
    console.warn('could not save the notification preference', error);
  }
}

const [wanted, setWanted] = createSignal(readPreference());
const [permission, setPermission] = createSignal<NotificationSupport>(currentPermission());

/** What the browser allows: granted, denied (blocked in site settings), default, or unsupported. */
export { permission as notificationPermission };

/** On when the user asked for notifications and the browser allows them. */
export function needsInputNotificationsOn(): boolean {
  return wanted() && permission() === 'granted';
}

/** Turns notifications on (asking for permission when the browser hasn't been asked yet) or off. */
export async function setNeedsInputNotifications(on: boolean): Promise<NotificationSupport> {
  if (!on) {
    setWanted(false);
    writePreference(false);
    return permission();
  }
  let result = currentPermission();
  if (result === 'default') result = await Notification.requestPermission();
  setPermission(result);
  setWanted(result === 'granted');
  writePreference(result === 'granted');
  return result;
}

let openAgent: (agentName: string) => void = (agentName) => {
  location.assign(`/agents/${encodeURIComponent(agentName)}`);
};

/** The router's navigate, so clicking a notification opens the agent without a reload. */
export function setNotificationOpener(open: (agentName: string) => void): void {
  openAgent = open;
}

/** Events already notified, so an event delivered twice (an overlapping resume) never notifies twice. */
const notified = new Set<string>();
const NOTIFIED_LIMIT = 500;

/** Call for an agent.updated event whose status changed to needs_input; `eventId` identifies the transition. */
export function notifyNeedsInput(agent: AgentView, eventId: string): void {
  if (document.visibilityState !== 'hidden' || !wanted()) return;
  const allowed = currentPermission();
  if (allowed !== permission()) setPermission(allowed); // changed in the browser's site settings
  if (allowed !== 'granted' || notified.has(eventId)) return;
  if (notified.size >= NOTIFIED_LIMIT) notified.clear();
  notified.add(eventId);
  try {
    const notification = new Notification(`${agent.name} needs input`, {
      body: agent.activity ?? 'This agent is waiting for a person to answer.',
      tag: `mc-needs-input-${eventId}`,
    });
    notification.onclick = () => {
      window.focus();
      openAgent(agent.name);
      notification.close();
    };
  } catch (error) {
    // Some browsers only allow notifications from a service worker; the badge still shows.
    console.warn('could not show a notification', error);
  }
}
