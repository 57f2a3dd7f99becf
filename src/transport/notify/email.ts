/**
 * The e-mail adapter of the notification outbox: nodemailer over SMTP (`--smtp URL`, ERX_SMTP_URL, e.g.
 * smtp://relay.example.org:587 or smtps://user:pass@host). One message per notice, plain text, in the
 * person's language; the notification id is in the `X-Erx-Notification` header so a mail system can
 * drop the second copy a crash may cause.
 */
import nodemailer from 'nodemailer';
import type { NoticeSender } from '../../register/noticeDelivery.js';
import { noticeMessage } from '../../register/noticeTemplates.js';

export interface EmailOptions {
  /** smtp:// or smtps:// URL of the relay. */
  url: string;
  /** The sender address, e.g. "erx register <no-reply@register.example>". */
  from: string;
}

export function emailSender(options: EmailOptions): NoticeSender & { close(): void } {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(entry) {
      const message = noticeMessage(entry.event, entry.language);
      await transport.sendMail({
        from: options.from,
        to: entry.address,
        subject: message.subject,
        text: message.text,
        headers: { 'X-Erx-Notification': String(entry.id), 'Content-Language': entry.language },
      });
    },
    close: () => transport.close(),
  };
}
