/**
 * Progress output of `convcheck verify` on stderr: on an interactive terminal a live line
 * (property i/n, id, cases done/total, elapsed) redrawn in place, each finished property left
 * above it; elsewhere (CI, pipes, files) one plain line per finished property.
 */
import { formatDuration, statusLabel } from '../reports/format.js';
import { type PropertyResult, propertyReason } from '../runner/report.js';
import type { ProgressEvent } from '../runner/options.js';
import { terminalSafe } from '../terminal.js';

/** The stream progress is written to (a subset of `process.stderr`). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Receives the runner's progress events; `stop()` clears the live line for good (finished properties still print). */
export interface ProgressReporter {
  onProgress(event: ProgressEvent): void;
  stop(): void;
}

/** Options of `createProgressReporter`. */
export interface ProgressOptions {
  /** Redraw a live line (use on a TTY outside CI). */
  readonly live: boolean;
  /** Clock, for tests; default `performance.now`. */
  readonly now?: () => number;
  /** Minimum ms between redraws of the live line; default 80. */
  readonly redrawMs?: number;
}

/** True when progress should be a live line: stderr is a terminal and `CI` is unset or empty. */
export function wantsLiveProgress(stream: ProgressStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.CI === undefined || env.CI === '' || env.CI === 'false' || env.CI === '0');
}

/** One line for a finished property: `[2/7] PASS conv-matches-reference  200 cases  1.23 s`. */
export function formatPropertyLine(result: PropertyResult, index: number | undefined, count: number | undefined): string {
  const where = index !== undefined && count !== undefined ? `[${index + 1}/${count}] ` : '';
  const reason = propertyReason(result);
  const tail = reason !== undefined ? ` (${reason})` : result.status === 'failed' ? ` — ${result.failure.kind}` : '';
  return terminalSafe(
    `${where}${statusLabel(result.status)} ${result.id}  ${result.casesRun} cases  ${formatDuration(result.durationMs)}${tail}`,
  );
}

/** Creates the reporter for `stream`. */
export function createProgressReporter(stream: ProgressStream, options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const redrawMs = options.redrawMs ?? 80;
  let current: { id: string; index: number; count: number; done: number; total: number; start: number } | undefined;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = (force: boolean) => {
    if (!options.live || stopped || current === undefined) return;
    const t = now();
    if (!force && t - lastDraw < redrawMs) return;
    lastDraw = t;
    const c = current;
    let line = terminalSafe(`[${c.index + 1}/${c.count}] ${c.id}  ${c.done}/${c.total} cases  ${formatDuration(t - c.start)}`);
    // A line wider than the terminal wraps, and `\r` then only returns to its last row.
    const width = (stream.columns || 80) - 1; // 0 when the terminal reports no size
    if (line.length > width) line = `${line.slice(0, Math.max(0, width - 1))}…`;
    stream.write(`\r\x1b[2K${line}`);
    drawn = true;
  };

  return {
    onProgress(e) {
      switch (e.type) {
        case 'property-start':
          current = { id: e.id, index: e.index, count: e.count, done: 0, total: e.casesTotal, start: now() };
          if (options.live && !stopped) {
            draw(true);
            // Keep the elapsed time moving while one slow case runs.
            timer ??= setInterval(() => draw(true), 500);
            timer.unref();
          }
          break;
        case 'case':
          if (current !== undefined && current.id === e.id) {
            current.done = e.casesDone;
            current.total = e.casesTotal;
          }
          draw(false);
          break;
        case 'property-end': {
          const same = current !== undefined && current.id === e.result.id;
          clear();
          stream.write(`${formatPropertyLine(e.result, same ? current!.index : undefined, same ? current!.count : undefined)}\n`);
          current = undefined;
          break;
        }
      }
    },
    stop() {
      // Finished properties are still printed after stop(); only the live line ends.
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      clear();
    },
  };
}
