/**
 * Links into the web console that carry their tokens, for `erx demo` to print: a newcomer clicks and
 * lands on a working page. Tokens ride in the fragment (after #), which browsers never send to a
 * server; the page moves them into the tab's sessionStorage and clears the address bar.
 */
export interface ConsoleLinkInput {
  registerUrl: string;
  borderUrl: string;
  /** Tokens the register accepts (e.g. an operator's). */
  registerTokens: string[];
  /** Tokens the border replica accepts (checkpoint, auditor, …). */
  borderTokens: string[];
}

export interface ConsoleLinks {
  officer: string;
  operator: string;
  selfCheck: string;
}

function fragment(peer: string, mine: string[], theirs: string[]): string {
  const params = new URLSearchParams();
  for (const t of mine) params.append('token', t);
  params.set('peer', peer);
  for (const t of theirs) params.append('peerToken', t);
  return params.toString();
}

export function consoleLinks(input: ConsoleLinkInput): ConsoleLinks {
  const { registerUrl: R, borderUrl: B } = input;
  return {
    officer: `${B}/console/officer#${fragment(R, input.borderTokens, input.registerTokens)}`,
    operator: `${R}/console/persons#${fragment(B, input.registerTokens, input.borderTokens)}`,
    selfCheck: `${B}/console/self-check`,
  };
}
