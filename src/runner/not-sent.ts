/** The cases the capability gate kept from the kernel during one property, for its notes. */
import { relative } from 'node:path';

/**
 * Cases the capability gate kept from the kernel, for the property's notes: how many, the first
 * reasons, and the saved counterexamples the kernel's current capabilities exclude.
 */
export class NotSentCases {
  /** Generated (or replayed) cases not sent; shrink candidates are not counted. */
  generated = 0;
  private shrinkCandidates = 0;
  private readonly reasons: string[] = [];
  private readonly savedFiles: Array<{ file: string; reason: string }> = [];

  add(reason: string, savedFile: string | undefined, shrinking: boolean): void {
    if (shrinking) this.shrinkCandidates++;
    else this.generated++;
    if (savedFile !== undefined) this.savedFiles.push({ file: relative(process.cwd(), savedFile) || savedFile, reason });
    else if (this.reasons.length < 3 && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  get firstReason(): string {
    return this.reasons[0] ?? this.savedFiles[0]?.reason ?? '';
  }

  notes(): string[] {
    const out = this.savedFiles.map(
      ({ file, reason }) => `saved counterexample ${file} was not replayed: the kernel's capabilities no longer cover it (${reason})`,
    );
    const fresh = this.generated - this.savedFiles.length;
    if (fresh > 0) {
      out.push(
        `${fresh} case${fresh === 1 ? ' was' : 's were'} not sent because a call fell outside the kernel's capabilities (e.g. ${this.reasons.join('; ')}); they count neither as passed nor as failed`,
      );
    }
    if (this.shrinkCandidates > 0)
      out.push(
        `${this.shrinkCandidates} shrink candidate${this.shrinkCandidates === 1 ? ' was' : 's were'} not sent because a call fell outside the kernel's capabilities`,
      );
    return out;
  }
}
