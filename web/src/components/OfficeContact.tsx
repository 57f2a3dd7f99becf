/**
 * Where a person reaches the office that issued their restriction, as the register records it (the
 * office's record travels to every replica, protocol 5): name, address, telephone, e-mail, website and
 * opening hours. Telephone, e-mail and website are links, so on a phone one tap calls or writes. When
 * the register holds no record of the office, this says so plainly and invents nothing.
 */
import type { SelfCheckAnswer } from '@api/selfCheck';
import { t } from '../i18n';

export type OfficeRecord = SelfCheckAnswer['restrictions'][number]['office'];

/** "+7 495 612-34-56" → "tel:+74956123456" */
const telHref = (phone: string) => `tel:${phone.replace(/[^+0-9]/g, '')}`;

export function OfficeContact({ office }: { office: OfficeRecord }) {
  const words = t().officeContact;
  if (!office.recorded) {
    return (
      <div class="office-contact" data-office={office.id} data-recorded="false">
        <p class="office-name">{office.id}</p>
        <p>{words.notRecorded}</p>
      </div>
    );
  }
  return (
    <div class="office-contact" data-office={office.id} data-recorded="true">
      <p class="office-name">{office.name}</p>
      <address>{office.address}</address>
      <ul class="office-ways">
        {office.phone ? (
          <li>
            {words.telephone} <a href={telHref(office.phone)}>{office.phone}</a>
          </li>
        ) : null}
        {office.email ? (
          <li>
            {words.email} <a href={`mailto:${office.email}`}>{office.email}</a>
          </li>
        ) : null}
        {office.web ? (
          <li>
            {words.website}{' '}
            <a href={office.web} rel="noopener noreferrer" target="_blank">
              {office.web.replace(/^https?:\/\//, '')}
            </a>
          </li>
        ) : null}
        {office.hours ? <li>{words.hours(office.hours)}</li> : null}
      </ul>
      <p class="office-code">{words.code(office.id)}</p>
    </div>
  );
}
