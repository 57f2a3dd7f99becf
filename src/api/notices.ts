/** GET /v1/notifications/status (operations): the notification outbox at a glance (register/noticeOutbox.ts). */
import { z } from 'zod';

export const noticeStatusAnswer = z.object({
  /** Waiting for their first or next attempt. */
  pending: z.number().int(),
  /** Given up after the last allowed attempt: someone must look (the register's log says why, by id). */
  failed: z.number().int(),
  delivered: z.number().int(),
  /** The channels this register can send on (an unconfigured channel's notices fail and are given up). */
  channels: z.array(z.enum(['email', 'webhook'])),
});
export type NoticeStatusAnswer = z.infer<typeof noticeStatusAnswer>;
