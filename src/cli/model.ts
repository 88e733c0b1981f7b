/**
 * The CLI side of `convcheck verify --model` (`docs/model.md`): prepares the model's layers before
 * the run, adds the per-layer verdicts to the report after it, prints them, and runs
 * `--model-data both` as a real-data run and a generated-data run into two report directories.
 */
import { join } from 'node:path';
import type { ModelReport, VerificationReport } from '../runner/report.js';
import type { VerifyOptions } from '../runner/options.js';
import { LayerVerdicts, prepareModel, productionLayersOf, type PreparedModel } from '../runner/model-layers.js';
import type { VerifyCommand } from './args.js';
import type { KernelUnderTest } from '../contract.js';
import { ModelFileError } from '../errors.js';
import { completeCapabilities } from '../capabilities.js';
import { clearRealTensors, realTensorsOf, sourceOf } from '../arbitraries/real-data.js';

/** A prepared model run: what `verifyKernel` gets, and what to do with its report. */
export interface ModelRun {
  readonly prepared: PreparedModel;
  /**
   * The options a model run adds for `kernel` — its layers, real data or not, the per-case hook —
   * and starts watching judgements. With real data, a kernel that declares no special-value
   * support is not handed a layer whose own tensors hold NaN or ±Infinity (the layer is skipped).
   */
  optionsFor(kernel: KernelUnderTest): Pick<VerifyOptions, 'layers' | 'realData' | 'onCase'>;
  /** The report with its `model` section; stops watching the run. */
  finish(report: VerificationReport): VerificationReport;
  /** One line for the run's header. */
  readonly description: string;
}

const hasNonFinite = (a: Float64Array | undefined): boolean => a?.some((v) => !Number.isFinite(v)) ?? false;

/** Reads and runs the model of `cmd.model`. */
export async function openModelRun(
  cmd: VerifyCommand & { readonly model: NonNullable<VerifyCommand['model']> },
  seed: number,
): Promise<ModelRun> {
  const data = cmd.model.data === 'generated' ? 'generated' : 'real';
  const prepared = await prepareModel(cmd.model.file, {
    ...(cmd.model.input !== undefined ? { input: cmd.model.input } : {}),
    seed,
    ...(cmd.shard !== undefined ? { shard: cmd.shard } : {}),
  });
  let verdicts: LayerVerdicts | undefined;
  const shard = cmd.shard !== undefined ? ` (shard ${cmd.shard.index}/${cmd.shard.count} of the layers)` : '';
  return {
    prepared,
    optionsFor(kernel) {
      let used = prepared;
      if (data === 'real' && !completeCapabilities(kernel.capabilities).specialValues) {
        const special = prepared.layers.filter((l) => {
          const t = realTensorsOf(sourceOf(l.layer.spec)!);
          return t === undefined || hasNonFinite(t.x) || hasNonFinite(t.w) || hasNonFinite(t.b);
        });
        const reason =
          'its own tensors hold NaN or ±Infinity and the kernel declares no special-value support (capabilities.specialValues)';
        used = {
          ...prepared,
          layers: prepared.layers.filter((l) => !special.includes(l)),
          skipped: [...prepared.skipped, ...special.map((l) => ({ node: l.candidate.node, opType: l.candidate.opType, reason }))],
        };
        if (used.layers.length === 0)
          throw new ModelFileError(cmd.model.file, undefined, `no layer ${kernel.name} can take: every layer's ${reason.slice(4)}`);
      }
      verdicts = new LayerVerdicts(used);
      verdicts.start();
      return { layers: productionLayersOf(used), realData: data === 'real', onCase: verdicts.onCase };
    },
    finish(report) {
      verdicts?.stop();
      // the run is over: its tensors go (a later run in this process must not replay this model's cases on them)
      clearRealTensors();
      return verdicts === undefined ? report : { ...report, model: verdicts.report(report, data) };
    },
    description:
      `model ${cmd.model.file}: ${prepared.layers.length} layer${prepared.layers.length === 1 ? '' : 's'}${shard}, ${prepared.skipped.length} node${prepared.skipped.length === 1 ? '' : 's'} skipped, ` +
      `${data === 'real' ? 'its own weights and activations' : 'generated data of its shapes'}, input ${prepared.input}`,
  };
}

/** The per-layer verdicts for the terminal. */
export function formatLayerVerdicts(m: ModelReport): string {
  const w = Math.max(4, ...m.layers.map((l) => l.node.length));
  const lines = [`Model layers (${m.data === 'real' ? 'real data' : 'generated data'}):`];
  for (const l of m.layers) {
    const worst =
      l.worstErrorOverBound === undefined
        ? ''
        : `  worst error/bound ${typeof l.worstErrorOverBound === 'number' ? (l.worstErrorOverBound === 0 ? '0' : l.worstErrorOverBound.toPrecision(3)) : l.worstErrorOverBound}`;
    const label = l.status === 'passed' ? 'PASS' : l.status === 'failed' ? 'FAIL' : 'NOT RUN';
    lines.push(
      `  ${label.padEnd(7)} ${l.node.padEnd(w)}  ${l.opType.padEnd(13)} ${l.shapes}  ${l.cases} cases${worst}${l.failedProperties.length > 0 ? `  failed: ${l.failedProperties.join(', ')}` : ''}${l.counterexampleFile !== undefined ? `  ${l.counterexampleFile}` : ''}`,
    );
  }
  for (const s of m.skipped) lines.push(`  SKIPPED ${s.node.padEnd(w)}  ${s.opType.padEnd(13)} ${s.reason}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `--model-data both`: the real-data run into `<report dir>/real`, then the generated-data run into
 * `<report dir>/generated`; the exit code is the worse of the two (a signal's first).
 */
export async function runBothData(
  cmd: VerifyCommand & { readonly model: NonNullable<VerifyCommand['model']> },
  run: (c: VerifyCommand) => Promise<number>,
): Promise<number> {
  const real = await run({ ...cmd, model: { ...cmd.model, data: 'real' }, reportDir: join(cmd.reportDir, 'real') });
  if (real > 2) return real;
  const generated = await run({ ...cmd, model: { ...cmd.model, data: 'generated' }, reportDir: join(cmd.reportDir, 'generated') });
  return generated > 2 ? generated : Math.max(real, generated);
}
