// Cron page inputs (zod, shared with the web app).
import { z } from 'zod';

export const ListCronJobsInput = z.object({ gatewayId: z.string().min(1).max(64).optional() }).default({});
export type ListCronJobsInput = z.output<typeof ListCronJobsInput>;

export const CronRunsInput = z.object({
  gatewayId: z.string().min(1).max(64),
  jobId: z.string().min(1).max(200),
  limit: z.number().int().min(1).max(200).default(50),
});
export type CronRunsInput = z.output<typeof CronRunsInput>;

export const CronJobRefInput = z.object({ gatewayId: z.string().min(1).max(64), jobId: z.string().min(1).max(200) });
export type CronJobRefInput = z.output<typeof CronJobRefInput>;
