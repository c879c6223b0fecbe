// The only initTRPC. Exports the router factory and the access-level procedure builders; the RBAC
// decision itself lives in auth/roles.ts (hasAccess), shared with the REST routes.
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { type AccessLevel, hasAccess } from './auth/roles.ts';
import type { Context } from './context.ts';
import { DomainError, type ErrorCode, type ErrorDetail } from './errors.ts';
import { issuesToDetails } from './validation.ts';

export type ProcedureMeta = { access: AccessLevel };

const TRPC_CODE: Record<ErrorCode, TRPCError['code']> = {
  VALIDATION_FAILED: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const cause = error.cause;
      let details: ErrorDetail[] | undefined;
      let message = shape.message;
      let domainCode: string | undefined;
      if (cause instanceof DomainError) {
        details = cause.details;
        domainCode = cause.code;
      } else if (cause instanceof ZodError) {
        details = issuesToDetails(cause.issues);
        const first = details[0];
        message = first ? `${first.path}: ${first.message}` : 'Invalid input';
        domainCode = 'VALIDATION_FAILED';
      } else if (error.code === 'INTERNAL_SERVER_ERROR') {
        // Never leak internal messages; the request id links the log line.
        message = `Internal error (request ${ctx?.meta.requestId ?? 'unknown'})`;
      }
      return {
        ...shape,
        message,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, domainCode, details, requestId: ctx?.meta.requestId },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapDomainErrors = t.middleware(async ({ next, ctx, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) {
      throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
    }
    if (result.error.code === 'INTERNAL_SERVER_ERROR') ctx.log.error({ err: cause ?? result.error, path }, 'procedure failed');
  }
  return result;
});

function requireAccess(level: AccessLevel) {
  return t.middleware(({ ctx, next }) => {
    if (!hasAccess(ctx.actor, level)) {
      if (ctx.actor.kind === 'anonymous') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${level} role` });
    }
    return next();
  });
}

const base = t.procedure.use(mapDomainErrors);
export const publicProcedure = base.meta({ access: 'public' });
export const viewerProcedure = base.meta({ access: 'viewer' }).use(requireAccess('viewer'));
export const operatorProcedure = base.meta({ access: 'operator' }).use(requireAccess('operator'));
export const adminProcedure = base.meta({ access: 'admin' }).use(requireAccess('admin'));
/** Agent keys, or operator+ users acting for an agent. */
export const agentProcedure = base.meta({ access: 'agent' }).use(requireAccess('agent'));
