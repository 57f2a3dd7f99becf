/**
 * Contact details for every office the synthetic register names (military commissariats MO-*, district
 * courts CT-*, bailiff departments FSSP-*), so that a self-check in the demo shows the person where to
 * turn. Invented but shaped like the real thing: a street address with a postcode, a city telephone
 * number, opening hours, and the way and time limit to contest under each kind of basis. E-mail and web
 * addresses are under the reserved `.example` domain, so none of them reaches a real office.
 */
import type { OfficeBody } from '../api/offices.js';
import { CITIES, type City } from './synthetic.js';

export interface DemoOffice {
  officeId: string;
  body: OfficeBody;
}

/** City name, postcode prefix and telephone area code of each synthetic city. */
const PLACES: Record<string, { name: string; postcode: string; area: string }> = {
  Moscow: { name: 'Moscow', postcode: '101', area: '495' },
  SPb: { name: 'Saint Petersburg', postcode: '190', area: '812' },
  Novosibirsk: { name: 'Novosibirsk', postcode: '630', area: '383' },
  Yekaterinburg: { name: 'Yekaterinburg', postcode: '620', area: '343' },
  Kazan: { name: 'Kazan', postcode: '420', area: '843' },
  NNovgorod: { name: 'Nizhny Novgorod', postcode: '603', area: '831' },
  Chelyabinsk: { name: 'Chelyabinsk', postcode: '454', area: '351' },
  Samara: { name: 'Samara', postcode: '443', area: '846' },
  Omsk: { name: 'Omsk', postcode: '644', area: '381' },
  Rostov: { name: 'Rostov-on-Don', postcode: '344', area: '863' },
  Ufa: { name: 'Ufa', postcode: '450', area: '347' },
  Krasnoyarsk: { name: 'Krasnoyarsk', postcode: '660', area: '391' },
  Voronezh: { name: 'Voronezh', postcode: '394', area: '473' },
  Perm: { name: 'Perm', postcode: '614', area: '342' },
  Volgograd: { name: 'Volgograd', postcode: '400', area: '844' },
};

const STREETS = ['Sadovaya', 'Lenina', 'Pushkinskaya', 'Mira', 'Sovetskaya', 'Gagarina', 'Kirova', 'Oktyabrskaya', 'Pervomayskaya', 'Chekhova', 'Gorkogo', 'Molodyozhnaya'];

const CALL_UP_CONTEST =
  'Write to the draft commission of the region (through this commissariat, or in person) or file a claim with the district court, ' +
  'stating why the call-up should not apply to you; bring your passport, the notice and any evidence (certificates, decisions). ' +
  'A complaint suspends the call-up until it is decided.';
const COURT_CONTEST =
  'File an appeal against the order through this court (the court office, the court website, or by post), or ask the court to lift the ban ' +
  'if its grounds have gone (the case is closed, security given). Quote the case number on the order.';
const BAILIFF_CONTEST =
  'Pay the debt (the ban is lifted within a working day once the payment reaches the bailiffs), or contest the decision to the senior bailiff ' +
  'of this department or to the district court. Quote the enforcement proceedings number on the decision.';

/** A stable small number from a string, so each office gets the same invented details on every run. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function phone(area: string, seed: number): string {
  const n = String(2_000_000 + (seed % 7_000_000));
  return `+7 ${area} ${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5, 7)}`;
}

function address(place: (typeof PLACES)[string], seed: number): string {
  return `${STREETS[seed % STREETS.length]} St ${1 + (seed % 97)}, ${place.name}, ${place.postcode}${String(seed % 1000).padStart(3, '0')}`;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function officesOf(city: City): DemoOffice[] {
  const place = PLACES[city.code] ?? { name: city.code, postcode: '100', area: '800' };
  const out: DemoOffice[] = [];
  for (let n = 1; n <= city.commissariats; n++) {
    const officeId = `MO-${city.code}-${n}`;
    const seed = hash(officeId);
    out.push({
      officeId,
      body: {
        name: `Military Commissariat of ${place.name}, district no. ${n}`,
        address: address(place, seed),
        phone: phone(place.area, seed),
        email: `commissariat-${n}@${slug(city.code)}.mil.example`,
        hours: 'Mon–Thu 09:00–18:00, Fri 09:00–16:45',
        howToContest: CALL_UP_CONTEST,
        contestDays: 90,
      },
    });
  }
  for (const court of city.courts) {
    const officeId = `CT-${city.code}-${court}`;
    const seed = hash(officeId);
    out.push({
      officeId,
      body: {
        name: `${court} District Court of ${place.name}`,
        address: address(place, seed),
        phone: phone(place.area, seed),
        email: `${slug(court)}@${slug(city.code)}.courts.example`,
        web: `https://${slug(court)}.${slug(city.code)}.courts.example`,
        hours: 'Mon–Thu 09:00–18:00, Fri 09:00–16:45; lunch 13:00–13:45',
        howToContest: COURT_CONTEST,
        contestDays: 30,
      },
    });
  }
  for (let n = 1; n <= city.commissariats; n++) {
    const officeId = `FSSP-${city.code}-${n}`;
    const seed = hash(officeId);
    out.push({
      officeId,
      body: {
        name: `Bailiffs' Department no. ${n} of ${place.name}`,
        address: address(place, seed),
        phone: phone(place.area, seed),
        email: `osp-${n}@${slug(city.code)}.fssp.example`,
        web: `https://${slug(city.code)}.fssp.example/osp-${n}`,
        hours: 'Tue 09:00–13:00, Thu 13:00–18:00 (reception of citizens)',
        howToContest: BAILIFF_CONTEST,
        contestDays: 10,
      },
    });
  }
  return out;
}

/** Every office of the synthetic register, with its contact details. */
export function demoOffices(): DemoOffice[] {
  return CITIES.flatMap(officesOf);
}
