// /settings: the first section this role can use.
import { Navigate } from '@solidjs/router';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';

export default function SettingsIndex() {
  const user = useCurrentUser();
  const target = () => {
    if (hasRole(user().role, 'admin')) return '/settings/users';
    if (hasRole(user().role, 'operator')) return '/settings/api-keys';
    return '/settings/account';
  };
  return <Navigate href={target()} />;
}
