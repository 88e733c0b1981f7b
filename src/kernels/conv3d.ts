/**
 * The lifted conv geometry the float32 and float64 conv kernels share (`im2col.ts` builds it with
 * `liftConv3d`; `depthwise.ts` and `direct32.ts` read it), in a file of its own so the kernels
 * that read it do not import the kernel that calls them.
 */

/** A conv geometry with every rank lifted to 3 spatial axes (leading axes of size 1). */
// biome-ignore format: the z/y/x triples stay one per line
export interface Conv3d {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly group: number;
  readonly cg: number;
  readonly mg: number;
  /** Input, kernel and output sizes, z/y/x. */
  readonly dz: number; readonly dy: number; readonly dx: number;
  readonly kz: number; readonly ky: number; readonly kx: number;
  readonly oz: number; readonly oy: number; readonly ox: number;
  readonly sz: number; readonly sy: number; readonly sx: number;
  /** Dilations. */
  readonly lz: number; readonly ly: number; readonly lx: number;
  /** Begin pads (end pads only shape the output size, already in oz/oy/ox). */
  readonly pz: number; readonly py: number; readonly px: number;
  /** ∏D, ∏k, ∏O. */
  readonly inSize: number;
  readonly kernelSize: number;
  readonly outSize: number;
}
