/**
 * The kernel-coverage section of the verification report (`VerificationReport.kernelCoverage`):
 * what of the kernel's own code the run reached, the shader variants it created, and what the
 * coverage guidance did. Types only; built by `kernel-coverage-report.ts`, rendered by the
 * report writers.
 */
import type { GuidanceStats } from './guided.js';

/** Covered and total counts of one metric. */
export interface CoveredOf {
  readonly covered: number;
  readonly total: number;
}

/** One source file of the kernel. */
export interface KernelCoverageFile {
  /** Relative to the working directory when inside it. */
  readonly path: string;
  readonly functions: CoveredOf;
  readonly branches: CoveredOf;
  readonly lines: CoveredOf;
}

/** A function or branch the run never reached. */
export interface UnreachedCode {
  readonly path: string;
  /** 1-based line. */
  readonly line: number;
  /** The function's name, or the first line of the branch's code (trimmed, at most 80 characters). */
  readonly what: string;
}

/** A GPU program source, by variant (numeric literals normalized), and the call shapes that reached it. */
export interface ShaderVariantSummary {
  readonly key: string;
  readonly kind: string;
  /** Call signatures (op, shapes, attributes) that created or used it, at most `SHAPES_PER_VARIANT`. */
  readonly shapes: readonly string[];
  /** How many distinct call signatures reached it in all. */
  readonly shapeCount: number;
  /** The case in which it first appeared (one line), if in a case. */
  readonly firstCase?: string;
  /** Where its source was written (`kernel-coverage/shaders/<key>.wgsl`), if it was. */
  readonly sourceFile?: string;
}

/** What coverage guidance did in one property. */
export interface PropertyGuidance extends GuidanceStats {
  readonly property: string;
}

/** The kernel-coverage section of a report. */
export interface KernelCoverageReport {
  /** npm libraries included (`--coverage-libraries`), or the kernel's own module files only. */
  readonly libraries: boolean;
  /** Whether cases were generated with coverage guidance (`--guided`). */
  readonly guided: boolean;
  /** Kernel calls whose coverage was received. */
  readonly calls: number;
  readonly files: readonly KernelCoverageFile[];
  /** Functions never reached, at most `MAX_UNREACHED` (`unreachedFunctionCount` has them all). */
  readonly unreachedFunctions: readonly UnreachedCode[];
  readonly unreachedFunctionCount: number;
  /** Branches never reached, at most `MAX_UNREACHED` (`unreachedBranchCount` has them all). */
  readonly unreachedBranches: readonly UnreachedCode[];
  readonly unreachedBranchCount: number;
  readonly shaderVariants: readonly ShaderVariantSummary[];
  /** Per property, when guided. */
  readonly guidance?: readonly PropertyGuidance[];
  /** The HTML view and lcov file written (relative to the working directory), when written. */
  readonly outputs?: { readonly html: string; readonly lcov: string };
  /** Why there is less than expected (no kernel files seen, the report library failed), if so. */
  readonly note?: string;
}
