/** PAXLST reading: the subset carriers send, the UNA advice and release character, and every bad message refused naming its segment. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/border/manifests/edifact.js';
import { parsePaxlst } from '../../src/border/manifests/paxlst.js';
import { ErxError } from '../../src/shared/errors.js';
import { paxlstOf } from './paxlstFixture.js';

const manifest = {
  carrier: 'SU',
  service: 'SU2130',
  departureAt: '2026-12-24T09:30:00Z',
  from: 'SVO',
  to: 'IST',
  travellers: [
    { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04', sex: 'M' as const, documentNumber: '751234567', nationality: 'RUS' },
    { surname: "O'NEILL", givenNames: 'MARY ANN', dateOfBirth: '1980-11-30', documentNumber: 'X1234', nationality: 'IRL', documentCountry: 'GBR' },
  ],
};

function refused(text: string, pattern: RegExp, field?: RegExp) {
  assert.throws(
    () => parsePaxlst(text),
    (err: unknown) => {
      assert.ok(err instanceof ErxError, `an ErxError, not ${String(err)}`);
      assert.equal(err.status, 400);
      assert.match(err.message, pattern);
      if (field) assert.match(err.field ?? '', field);
      return true;
    },
  );
}

test('a PAXLST reads into the same manifest as its JSON', () => {
  assert.deepEqual(parsePaxlst(paxlstOf(manifest)), manifest);
  assert.deepEqual(parsePaxlst(paxlstOf(manifest, { una: false, lineBreaks: false })), manifest, 'without UNA and line breaks too');
});

test("the release character keeps separators in data (O?'NEILL), and a UNA may redefine every separator", () => {
  assert.equal(parsePaxlst(paxlstOf(manifest)).travellers[1]!.surname, "O'NEILL");
  const custom = paxlstOf(manifest, { una: false }).replace(/\?'/g, "\u0001").replace(/'/g, '~').replace(/\u0001/g, "'").replace(/\+/g, '*');
  assert.deepEqual(parsePaxlst("UNA:*.? ~" + custom), manifest);
});

test('YYMMDD dates of birth fall in the past century when they must', () => {
  const text = paxlstOf(manifest).replace('DTM+329:19990304:102', 'DTM+329:990304').replace('DTM+329:19801130:102', 'DTM+329:051130:101');
  const m = parsePaxlst(text, new Date('2026-12-07T00:00:00Z'));
  assert.equal(m.travellers[0]!.dateOfBirth, '1999-03-04');
  assert.equal(m.travellers[1]!.dateOfBirth, '2005-11-30');
});

test('the carrier may be left to the token: a TDT without one', () => {
  const m = parsePaxlst(paxlstOf({ ...manifest, carrier: undefined }));
  assert.equal(m.carrier, undefined);
});

test('segments keep their positions, counted from UNB (UNA is no segment)', () => {
  const segments = tokenize(paxlstOf(manifest));
  assert.equal(segments[0]!.tag, 'UNB');
  assert.equal(segments[0]!.position, 1);
  assert.equal(segments[2]!.tag, 'BGM');
  assert.equal(segments[2]!.position, 3);
});

test('bad messages are refused with the segment, its position and what is wrong', () => {
  const good = paxlstOf(manifest);
  refused(good.replace('PAXLST:D:05B', 'CUSCAR:D:05B'), /segment 2 \(UNH\): the message type is "CUSCAR", not PAXLST/, /segment 2 UNH/);
  refused(good.replace('UNT+', 'UNX+'), /UNX is not a segment of a PAXLST message/);
  refused(good.replace(/UNT\+\d+/, 'UNT+3'), /\(UNT\): declares 3 segments, but the message from UNH to UNT has \d+/);
  refused(good.replace('DOC+P:110:111+751234567', 'DOC+P:110:111'), /\(DOC\): DOC has no document number/);
  refused(good.replace('DTM+329:19990304:102', 'DTM+329:19991304:102'), /\(DTM\): the date of birth "19991304" is not a real date/);
  refused(good.replace('DTM+329:19990304:102', 'DTM+329:1999-03-04:102'), /\(DTM\): the date of birth "1999-03-04" is not CCYYMMDD/);
  refused(good.replace("DTM+329:19990304:102'\n", ''), /segment \d+ \(NAD\): traveller IVANOV has no date of birth/);
  refused(good.replace('NAD+FL+++IVANOV:IURII', 'NAD+FL+++:IURII'), /\(NAD\): the traveller has no surname/);
  refused(good.replace('ATT+2++M', 'ATT+2++Q'), /\(ATT\): sex "Q" is not M, F, X or U/);
  refused(good.replace("BGM+745'", "BGM+380'"), /segment 3 \(BGM\): document code "380" is not a passenger list/);
  refused(good.replace(/TDT\+20\+[^']*'/, "RFF+AVF:X'"), /names no service: TDT\+20\+NUMBER is missing/);
  refused(good.replace(/'\n?$/, ''), /UNZ|the last segment .* has no segment terminator/);
  refused(good.replace("NAT+2+RUS'", "NAT+2+RUS?"), /release character|segment/);
  refused("UNA:+", /UNA service string advice must be followed by six characters/);
  refused("UNA::.? '", /uses one character for two separators/);
  refused('', /no segments/);
  refused(good.replace('UNZ', 'UNH+X+PAXLST:D:05B:UN:IATA\'\nUNZ'), /a second message in one interchange/);
  refused(good.replace("NAD+MS+++OPS DESK'", "NAD+ZZ+++OPS DESK'"), /\(NAD\): party qualifier "ZZ"/);
  refused(good.replace("ATT+2++M'", "ATT+2++M''"), /is not a segment tag|terminator/);
});

test('more than 1,000 travellers is refused at the traveller past the limit', () => {
  const many = { ...manifest, travellers: Array.from({ length: 1001 }, (_, i) => ({ ...manifest.travellers[0]!, documentNumber: `D${i}` })) };
  refused(paxlstOf(many), /more than 1000 travellers in one manifest; split it/, /NAD/);
});
