/**
 * Typed errors. Each class has a stable `code` so the CLI can map it to an exit code and a
 * message, and keeps the offending values for programmatic inspection.
 */

/** Base class of every error convcheck throws on purpose. */
export class ConvcheckError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An argument that is malformed or inconsistent with the others
 * (e.g. `conv: input channels (6) are not divisible by group (4)`).
 */
export class InvalidArgumentError extends ConvcheckError {
  /** The function that rejected the argument, e.g. `conv`. */
  readonly fn: string;
  /** The argument's name, e.g. `group`. */
  readonly argument: string;
  /** The offending value(s). */
  readonly value: unknown;
  constructor(fn: string, argument: string, value: unknown, message: string) {
    super('ERR_INVALID_ARGUMENT', `${fn}: ${message}`);
    this.fn = fn;
    this.argument = argument;
    this.value = value;
  }
}

/** A problem that is well formed but has no output (some output size would be < 1). */
export class EmptyOutputError extends InvalidArgumentError {
  constructor(fn: string, axis: number, outputSize: number, message: string) {
    super(fn, 'shape', { axis, outputSize }, message);
    (this as { code: string }).code = 'ERR_EMPTY_OUTPUT';
  }
}

/** A kernel module that cannot be loaded or does not implement the contract. */
export class KernelLoadError extends ConvcheckError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('ERR_KERNEL_LOAD', `${file}: ${message}`);
    this.file = file;
  }
}

/** Bad command-line usage. */
export class UsageError extends ConvcheckError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

/** A saved counterexample file that is damaged, foreign or describes an impossible case. */
export class CounterexampleFileError extends ConvcheckError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('ERR_COUNTEREXAMPLE_FILE', `${file}: ${message}`);
    this.file = file;
  }
}

/** No Chromium to run browser kernels in (`--browser`, `tfjs:webgl`, …). */
export class BrowserNotFoundError extends ConvcheckError {
  /** The places that were looked at, in order. */
  readonly searched: readonly string[];
  constructor(searched: readonly string[], message: string) {
    super('ERR_BROWSER_NOT_FOUND', message);
    this.searched = searched;
  }
}

/** A `--shapes` file (users' own layer shapes) that cannot be used: names the file, the layer and the field. */
export class ShapesFileError extends ConvcheckError {
  readonly file: string;
  /** `#i (name)` of the offending layer, if one. */
  readonly layer: string | undefined;
  readonly field: string | undefined;
  readonly value: unknown;
  constructor(file: string, layer: string | undefined, field: string | undefined, value: unknown, detail: string) {
    super(
      'ERR_SHAPES_FILE',
      `--shapes ${file}${layer !== undefined ? `: layer ${layer}` : ''}${field !== undefined ? `: ${field}` : ''}: ${detail}`,
    );
    this.file = file;
    this.layer = layer;
    this.field = field;
    this.value = value;
  }
}

/** Shard reports that `convcheck merge` cannot join (different kernels, seeds, options or versions; a shard missing or twice; a directory with no report). */
export class ReportMergeError extends ConvcheckError {
  /** The report directory at fault (the first one, when two disagree). */
  readonly dir: string;
  /** What differs or is missing, e.g. `seed`. */
  readonly field: string;
  constructor(dir: string, field: string, message: string) {
    super('ERR_REPORT_MERGE', `convcheck merge: ${message}`);
    this.dir = dir;
    this.field = field;
  }
}

/** An ONNX model (`--model`) that cannot be read or run: not ONNX, truncated, an external-data file missing, no supported node, a dynamic input shape. */
export class ModelFileError extends ConvcheckError {
  readonly file: string;
  /** The node or tensor at fault, if one. */
  readonly where: string | undefined;
  constructor(file: string, where: string | undefined, detail: string) {
    super('ERR_MODEL_FILE', `--model ${file}${where !== undefined ? `: ${where}` : ''}: ${detail}`);
    this.file = file;
    this.where = where;
  }
}
