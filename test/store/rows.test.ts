/** The replica's compact column forms (src/store/rows.ts) read back exactly what was written, and rows in the earlier JSON form still read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeDeferments, decodeDocuments, decodeName, encodeDeferments, encodeDocuments, encodeName } from '../../src/store/rows.js';

const documentArb = fc.record({ type: fc.string(), number: fc.string(), country: fc.string() }, { noNullPrototype: true });

test('documents: any list round-trips, whatever its fields hold (tabs, newlines, a leading bracket)', () => {
  fc.assert(
    fc.property(fc.array(documentArb, { maxLength: 4 }), (docs) => {
      assert.deepEqual(decodeDocuments(encodeDocuments(docs)), docs);
    }),
    { numRuns: 2000 },
  );
  for (const docs of [[{ type: '[x', number: '1', country: 'RUS' }], [{ type: 'passport', number: 'A\tB', country: 'RUS' }], [{ type: '', number: '', country: '' }]]) {
    assert.deepEqual(decodeDocuments(encodeDocuments(docs)), docs);
  }
});

test('documents: the plain form is one line per document, far shorter than JSON; the JSON form still reads', () => {
  const docs = [
    { type: 'passport', number: '746969430', country: 'RUS' },
    { type: 'id-card', number: 'AB123', country: 'KAZ' },
  ];
  const text = encodeDocuments(docs);
  assert.equal(text, 'passport\t746969430\tRUS\nid-card\tAB123\tKAZ');
  assert.ok(text.length < JSON.stringify(docs).length / 2);
  assert.deepEqual(decodeDocuments(JSON.stringify(docs)), docs);
  assert.deepEqual(decodeDocuments(''), []);
});

test('deferments: empty is an empty text, others JSON; both old and new forms read', () => {
  assert.equal(encodeDeferments([]), '');
  assert.deepEqual(decodeDeferments(''), []);
  assert.deepEqual(decodeDeferments('[]'), []);
  const d = [{ kind: 'deferment', category: 'student', validFrom: '2024-01-01', validUntil: '2025-01-01' }] as never[];
  assert.deepEqual(decodeDeferments(encodeDeferments(d)), d);
});

test('names: any string round-trips; Cyrillic takes one byte a letter, ASCII and other scripts stay text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[А-Яа-яЁё -]{0,30}$/)), (name) => {
      assert.equal(decodeName(encodeName(name)), name);
    }),
    { numRuns: 3000 },
  );
  const ivanov = encodeName('Иванов-Петров Ёж');
  assert.ok(Buffer.isBuffer(ivanov));
  assert.equal(ivanov.length, 'Иванов-Петров Ёж'.length, 'one byte per letter');
  assert.equal(encodeName('IVANOV'), 'IVANOV');
  assert.equal(encodeName('Ἀλέξανδρος'), 'Ἀλέξανδρος', 'a script Windows-1251 lacks stays text');
  assert.equal(decodeName(encodeName('Сергій Ґава')), 'Сергій Ґава', 'Ukrainian letters, in Windows-1251 or not, read back');
});
