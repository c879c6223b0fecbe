// The server's tRPC router type. In the workspace this is @mc/api's AppRouter (type only, nothing runs);
// the published build replaces this module's declaration with a self-contained copy of the router's
// inputs and outputs (scripts/router-types.ts), so the package needs nothing private.
export type { AppRouter } from '@mc/api';
