// Build-time stand-in for @mc/api (tsconfig.build.json "paths"): the SDK imports only the AppRouter type,
// and scripts/build.ts replaces dist/client/app-router.d.ts with the flattened real one.
import type { AnyTRPCRouter } from '@trpc/server';

export type AppRouter = AnyTRPCRouter;
