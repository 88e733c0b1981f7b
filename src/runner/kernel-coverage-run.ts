/**
 * One run's kernel coverage, as `verifyKernel` uses it: the collector attached to the kernel's
 * coverage tap, a guided arbitrary per property (with `guided`), the per-case bookkeeping, and
 * the report section at the end.
 */
import type fc from 'fast-check';
import { InvalidArgumentError } from '../errors.js';
import { coverageTapOf, type KernelCoverageTap } from './kernel-coverage-probe.js';
import { KernelCoverageCollector } from './kernel-coverage.js';
import { buildKernelCoverageReport } from './kernel-coverage-report.js';
import type { KernelCoverageReport, PropertyGuidance } from './kernel-coverage-summary.js';
import { GuidedArbitrary } from './guided.js';

/** `VerifyOptions.coverage`: collect kernel coverage; `outputDir` receives the HTML view and lcov. */
export interface VerifyCoverageOptions {
  /** Where the HTML view (`index.html`), `lcov.info` and shader sources are written; default: not written. */
  readonly outputDir?: string;
}

/** The kernel coverage of one `verifyKernel` run. */
export class CoverageRun {
  private readonly collector = new KernelCoverageCollector();
  private readonly guidance: PropertyGuidance[] = [];
  private current: { property: string; arbitrary: GuidedArbitrary<unknown> } | undefined;

  private constructor(
    private readonly tap: KernelCoverageTap,
    private readonly guided: boolean,
    private readonly options: VerifyCoverageOptions,
  ) {
    tap.attach(this.collector.onCall);
  }

  /**
   * Attaches to the tap of `kernel` (the object the host made, before validation). A kernel
   * without one cannot report coverage: an in-process kernel shares the runner's own V8 (and a
   * test runner's coverage of it), so coverage needs a kernel process or page.
   */
  static open(kernel: unknown, guided: boolean, options: VerifyCoverageOptions): CoverageRun {
    const tap = typeof kernel === 'object' && kernel !== null ? coverageTapOf(kernel) : undefined;
    if (tap === undefined) {
      throw new InvalidArgumentError(
        'verifyKernel',
        guided ? 'guided' : 'coverage',
        true,
        `${guided ? 'guided generation needs' : 'coverage needs'} a kernel created with coverage on: createIsolatedKernel(spec, { coverage: {} }) or createBrowserKernel(spec, { coverage: {} }) (the CLI does this for --coverage and --guided)`,
      );
    }
    return new CoverageRun(tap, guided, options);
  }

  /** The property's arbitrary, guided when the run is. */
  arbitraryFor<T>(property: string, arbitrary: fc.Arbitrary<T>, shapeBudget: number | undefined, runs: number): fc.Arbitrary<T> {
    if (!this.guided) return arbitrary;
    // a third of the shapes (at most 20) drawn at random before mutants are made
    const g = new GuidedArbitrary(arbitrary, { warmup: Math.min(20, Math.max(1, Math.ceil((shapeBudget ?? runs) / 3))) });
    this.current = { property, arbitrary: g as GuidedArbitrary<unknown> };
    return g;
  }

  beginCase(label: string): void {
    this.collector.beginCase(label);
  }

  /** Ends a case the property ran; a guided arbitrary keeps it when it reached something new. */
  endCase(c: unknown): void {
    const n = this.collector.endCase();
    this.current?.arbitrary.feedback(c, n.newBlocks + n.newVariants > 0);
  }

  /** Records the finished property's guidance statistics. */
  endProperty(): void {
    if (this.current !== undefined) this.guidance.push({ property: this.current.property, ...this.current.arbitrary.stats });
    this.current = undefined;
  }

  /** Detaches from the kernel and builds the report section (writing the files with `outputDir`). */
  async finish(kernelName: string): Promise<KernelCoverageReport> {
    this.tap.detach();
    return buildKernelCoverageReport(this.collector, {
      kernelName,
      libraries: this.tap.options.libraries === true,
      ...(this.options.outputDir !== undefined ? { outputDir: this.options.outputDir } : {}),
      ...(this.guided ? { guidance: this.guidance } : {}),
    });
  }
}
