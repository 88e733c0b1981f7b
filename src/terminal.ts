/**
 * Text for a terminal. A kernel's name and its error messages come from the kernel module and
 * are printed by the CLI, by `describeKernel` (through vitest) and in replays; raw, an ESC
 * sequence could clear the screen, recolour or retitle the terminal, a BEL ring it, a CR or a
 * newline forge a `PASS` line in a CI log. Everything convcheck prints passes through
 * `terminalSafe` (one field) or `terminalLines` (whole lines it composed itself).
 */

/**
 * C0 controls (NUL, BEL, BS, CR, LF, ESC, …), DEL, C1 controls (0x80–0x9F, e.g. the 8-bit CSI
 * 0x9B), the Unicode line and paragraph separators and the bidirectional overrides and isolates
 * (which reorder what follows them on the line).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u001b': '\\e',
  '\u0007': '\\a',
  '\u0000': '\\0',
};

/**
 * `s` with every control character written as a visible escape (`\n`, `\r`, `\e`, `\a`, `\0`,
 * `\x9b`, `\u202e`), so it stays on one line and cannot drive the terminal. Printable text,
 * including non-ASCII letters, is unchanged.
 * @example terminalSafe('k\u001b[2J\nPASS') // 'k\\e[2J\\nPASS'
 */
export function terminalSafe(s: string): string {
  return String(s).replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Text made of lines convcheck composed: each line is made safe on its own and the lines are
 * joined with `\n` (with a final `\n` when `text` had one). Use it for whole messages whose
 * fields were not escaped one by one.
 */
export function terminalLines(text: string): string {
  const final = text.endsWith('\n');
  const body = final ? text.slice(0, -1) : text;
  return `${body.split('\n').map(terminalSafe).join('\n')}${final ? '\n' : ''}`;
}
