// /settings/*: section navigation, showing only the sections the user's role can use.
import { A, type RouteSectionProps } from '@solidjs/router';
import { For } from 'solid-js';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import type { Role } from '../lib/trpc';
import './settings.css';

const SECTIONS: ReadonlyArray<{ href: string; label: string; role: Role }> = [
  { href: '/settings/users', label: 'Users', role: 'admin' },
  { href: '/settings/gateways', label: 'Gateways', role: 'admin' },
  { href: '/settings/webhooks', label: 'Webhooks', role: 'admin' },
  { href: '/settings/audit', label: 'Audit log', role: 'admin' },
  { href: '/settings/api-keys', label: 'API keys', role: 'operator' },
  { href: '/settings/prices', label: 'Prices', role: 'viewer' },
  { href: '/settings/account', label: 'Account', role: 'viewer' },
];

export default function SettingsLayout(props: RouteSectionProps) {
  const user = useCurrentUser();
  const sections = () => SECTIONS.filter((section) => hasRole(user().role, section.role));
  return (
    <div class="settings">
      <nav class="settings-nav" aria-label="Settings">
        <For each={sections()}>
          {(section) => (
            <A href={section.href} activeClass="is-active">
              {section.label}
            </A>
          )}
        </For>
      </nav>
      <div class="settings-content">{props.children}</div>
    </div>
  );
}
