// Inputs of the auth and user procedures (shared with the web app).
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';
import { Role } from './roles.ts';

export const Username = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'may contain letters, digits, ".", "_", "@" and "-" and must start with a letter or digit');
export const Password = z.string().min(1, 'is required').max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const LoginInput = z.object({ username: z.string().max(64), password: Password });
export const SetupAdminInput = z.object({ token: z.string().min(1).max(200), username: Username, password: Password });
export const ChangePasswordInput = z.object({ currentPassword: Password, newPassword: Password });

export const CreateUserInput = z.object({ username: Username, password: Password, role: Role });
export const SetRoleInput = z.object({ userId: z.string().min(1).max(64), role: Role });
export const SetDisabledInput = z.object({ userId: z.string().min(1).max(64), disabled: z.boolean() });
export const ResetPasswordInput = z.object({ userId: z.string().min(1).max(64), newPassword: Password });
