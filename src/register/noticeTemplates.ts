/**
 * The words of a notice, one small template per event and language (en, ru, uk). A message says only
 * what the person already knows from the decision served on them: the office, the basis, the reference
 * (restriction or case number) and the dates — never their name, date of birth or documents, so a
 * message read by someone else reveals no more than the paper notice would.
 */
import type { NoticeEvent, NoticeKind } from '../domain/notice.js';
import type { NoticeLanguage } from '../domain/types.js';

export interface NoticeMessage {
  subject: string;
  text: string;
}

type Template = (e: NoticeEvent, day: string) => NoticeMessage;

const ref = (e: NoticeEvent) => e.caseNumber ?? e.restrictionId ?? '';

const TEMPLATES: Record<NoticeLanguage, Record<NoticeKind, Template>> = {
  en: {
    'restriction-in-force': (e, day) => ({
      subject: `Exit restriction ${ref(e)} is in force`,
      text: `A restriction on leaving the country (${ref(e)}) issued by ${e.office} is in force from ${day}.\nBasis: ${e.basis}\nYou may contest it through the self-check service.`,
    }),
    'restriction-lifted': (e, day) => ({
      subject: `Exit restriction ${ref(e)} has been lifted`,
      text: `The restriction on leaving the country (${ref(e)}) issued by ${e.office} was lifted on ${day}${e.reason ? ` (reason: ${e.reason})` : ''}.\nBasis of the restriction: ${e.basis}\nBorder checkpoints receive the lift first, ahead of other changes.`,
    }),
    'contest-answered': (e, day) => ({
      subject: `Your contest ${ref(e)} has been answered`,
      text: `${e.office} answered your contest ${ref(e)} on ${day}${e.reason ? `: ${e.reason}` : ''}.\nBasis: ${e.basis}\nFollow the case with its number in the self-check service.`,
    }),
    'review-extended': (e, day) => ({
      subject: `Exit restriction ${ref(e)} was reviewed and extended`,
      text: `${e.office} reviewed the restriction on leaving the country (${ref(e)}) and extended it to ${day}.\nBasis: ${e.basis}\nYou may contest it through the self-check service.`,
    }),
  },
  ru: {
    'restriction-in-force': (e, day) => ({
      subject: `Ограничение на выезд ${ref(e)} вступило в силу`,
      text: `Ограничение на выезд из страны (${ref(e)}), наложенное органом ${e.office}, действует с ${day}.\nОснование: ${e.basis}\nВы можете обжаловать его через сервис самопроверки.`,
    }),
    'restriction-lifted': (e, day) => ({
      subject: `Ограничение на выезд ${ref(e)} снято`,
      text: `Ограничение на выезд из страны (${ref(e)}), наложенное органом ${e.office}, снято ${day}${e.reason ? ` (причина: ${e.reason})` : ''}.\nОснование ограничения: ${e.basis}\nПункты пропуска получают снятие первым, раньше других изменений.`,
    }),
    'contest-answered': (e, day) => ({
      subject: `Получен ответ на вашу жалобу ${ref(e)}`,
      text: `${e.office} ответил на вашу жалобу ${ref(e)} ${day}${e.reason ? `: ${e.reason}` : ''}.\nОснование: ${e.basis}\nСледите за делом по его номеру в сервисе самопроверки.`,
    }),
    'review-extended': (e, day) => ({
      subject: `Ограничение на выезд ${ref(e)} пересмотрено и продлено`,
      text: `${e.office} пересмотрел ограничение на выезд из страны (${ref(e)}) и продлил его до ${day}.\nОснование: ${e.basis}\nВы можете обжаловать его через сервис самопроверки.`,
    }),
  },
  uk: {
    'restriction-in-force': (e, day) => ({
      subject: `Обмеження на виїзд ${ref(e)} набрало чинності`,
      text: `Обмеження на виїзд з країни (${ref(e)}), накладене органом ${e.office}, діє з ${day}.\nПідстава: ${e.basis}\nВи можете оскаржити його через сервіс самоперевірки.`,
    }),
    'restriction-lifted': (e, day) => ({
      subject: `Обмеження на виїзд ${ref(e)} знято`,
      text: `Обмеження на виїзд з країни (${ref(e)}), накладене органом ${e.office}, знято ${day}${e.reason ? ` (причина: ${e.reason})` : ''}.\nПідстава обмеження: ${e.basis}\nПункти пропуску отримують зняття першим, раніше за інші зміни.`,
    }),
    'contest-answered': (e, day) => ({
      subject: `Отримано відповідь на вашу скаргу ${ref(e)}`,
      text: `${e.office} відповів на вашу скаргу ${ref(e)} ${day}${e.reason ? `: ${e.reason}` : ''}.\nПідстава: ${e.basis}\nСтежте за справою за її номером у сервісі самоперевірки.`,
    }),
    'review-extended': (e, day) => ({
      subject: `Обмеження на виїзд ${ref(e)} переглянуто й продовжено`,
      text: `${e.office} переглянув обмеження на виїзд з країни (${ref(e)}) і продовжив його до ${day}.\nПідстава: ${e.basis}\nВи можете оскаржити його через сервіс самоперевірки.`,
    }),
  },
};

/** The message for an event in a language (English when the language has no template). */
export function noticeMessage(event: NoticeEvent, language: NoticeLanguage = 'en'): NoticeMessage {
  const day = event.at.slice(0, 10);
  return (TEMPLATES[language] ?? TEMPLATES.en)[event.kind](event, day);
}

/**
 * The body of a webhook call: the event without the register's internal person id (the receiver is the
 * person's own endpoint; the reference and dates identify the decision), and the message in their language.
 */
export function webhookPayload(event: NoticeEvent, language: NoticeLanguage, notificationId: number) {
  const { personId: _internal, ...said } = event;
  return { notificationId, event: said, language, message: noticeMessage(event, language) };
}
