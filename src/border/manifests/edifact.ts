/**
 * The UN/EDIFACT syntax (ISO 9735) as far as a PAXLST needs it: segments ended by `'`, data elements
 * separated by `+`, components by `:`, `?` releasing the next character, and a UNA service string
 * advice that may redefine all of them. Every segment keeps its position (1-based, UNA not counted)
 * and its byte offset, so an error can name exactly where a message went wrong.
 *
 * Hand-written rather than taken from npm: the EDIFACT packages there (`edifact` 1.2, `ts-edifact`
 * 0.0.x) are large validators for whole directories, updated rarely, and neither reports a segment's
 * position in its errors; the syntax itself is these sixty lines.
 */
import { BadInput } from '../../shared/errors.js';

export interface Separators {
  component: string;
  element: string;
  decimal: string;
  release: string;
  segment: string;
}

/** ISO 9735's defaults (level A/B interchanges), used unless a UNA says otherwise. */
export const DEFAULT_SEPARATORS: Separators = { component: ':', element: '+', decimal: '.', release: '?', segment: "'" };

export interface Segment {
  tag: string;
  /** Data elements after the tag, each a list of components (a simple element is one component). */
  elements: string[][];
  /** 1-based among the message's segments (a UNA is not a segment). */
  position: number;
  /** Character offset of the segment's tag in the text. */
  offset: number;
}

/** A message that breaks EDIFACT's syntax or the PAXLST subset: 400, naming the segment. */
export class EdifactError extends BadInput {
  constructor(segment: Pick<Segment, 'tag' | 'position'> | null, problem: string) {
    super(segment ? `segment ${segment.position} (${segment.tag}): ${problem}` : `PAXLST message: ${problem}`, segment ? `segment ${segment.position} ${segment.tag}` : 'body');
  }
}

export function separatorsOf(text: string): { separators: Separators; start: number } {
  if (!text.startsWith('UNA')) return { separators: DEFAULT_SEPARATORS, start: 0 };
  if (text.length < 9) throw new EdifactError(null, 'the UNA service string advice must be followed by six characters (e.g. UNA:+.? \')');
  const [component, element, decimal, release, , segment] = text.slice(3, 9);
  const chosen = [component!, element!, release!, segment!];
  if (new Set(chosen).size !== chosen.length) throw new EdifactError(null, `the UNA service string advice "${text.slice(0, 9)}" uses one character for two separators`);
  return { separators: { component: component!, element: element!, decimal: decimal!, release: release!, segment: segment! }, start: 9 };
}

/** Splits a message into segments, honouring the release character; whitespace between segments (line breaks) is ignored. */
export function tokenize(text: string): Segment[] {
  const { separators: sep, start } = separatorsOf(text);
  const segments: Segment[] = [];
  let elements: string[][] = [[]];
  let current = '';
  let segmentStart = -1;
  const finishSegment = (at: number) => {
    elements[elements.length - 1]!.push(current);
    const [tagElement, ...rest] = elements;
    const tag = tagElement!.join(sep.component).trim();
    const position = segments.length + 1;
    if (!/^[A-Z][A-Z0-9]{2}$/.test(tag)) throw new EdifactError({ tag: tag.slice(0, 12) || '(empty)', position }, `"${tag.slice(0, 12)}" is not a segment tag (three capital letters) — is a segment terminator ${sep.segment} missing or doubled near offset ${at}?`);
    segments.push({ tag, elements: rest, position, offset: segmentStart });
    elements = [[]];
    current = '';
    segmentStart = -1;
  };
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (segmentStart < 0) {
      if (c === '\r' || c === '\n' || c === ' ' || c === '\t') continue;
      segmentStart = i;
    }
    if (c === sep.release) {
      if (i + 1 >= text.length) throw new EdifactError(null, `the message ends with the release character ${sep.release}, which must be followed by the character it releases`);
      current += text[++i];
    } else if (c === sep.segment) finishSegment(i);
    else if (c === sep.element) {
      elements[elements.length - 1]!.push(current);
      elements.push([]);
      current = '';
    } else if (c === sep.component) {
      elements[elements.length - 1]!.push(current);
      current = '';
    } else if (c === '\r' || c === '\n') {
      // A line break inside a segment is a wrapped line, not data.
    } else current += c;
  }
  if (segmentStart >= 0) throw new EdifactError(null, `the last segment (from offset ${segmentStart}) has no segment terminator ${sep.segment}`);
  return segments;
}

/** Component `c` of element `e` (both 0-based) of a segment, trimmed; '' when absent. */
export function component(segment: Segment, e: number, c = 0): string {
  return (segment.elements[e]?.[c] ?? '').trim();
}
