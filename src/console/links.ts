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

/** Where the peer is, the page learns from its own service's configuration, not from the link. */
function fragment(mine: string[], theirs: string[]): string {
  const params = new URLSearchParams();
  for (const t of mine) params.append('token', t);
  for (const t of theirs) params.append('peerToken', t);
  return params.toString();
}

export function consoleLinks(input: ConsoleLinkInput): ConsoleLinks {
  const { registerUrl: R, borderUrl: B } = input;
  return {
    officer: `${B}/console/officer#${fragment(input.borderTokens, input.registerTokens)}`,
    operator: `${R}/console/persons#${fragment(input.registerTokens, input.borderTokens)}`,
    selfCheck: `${B}/console/self-check`,
  };
}
