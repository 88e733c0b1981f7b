/**
 * WebAssembly SIMD direct convolution in float32 (`direct32.ts` drives it): the float32 kernel's
 * fast path. The module is assembled from the instruction lists below at first use — built from
 * this source, never a committed or downloaded binary.
 *
 * Data, all in the module's fixed memory (laid out by `direct32.ts`):
 * - x̂: the input of one (batch item, group), zero-padded and, for stride sx > 1, split into sx
 *   column phases, so that for every tap k the values a row of outputs reads are contiguous:
 *   output (t, ox) under tap k reads x̂[rowBase[t] + off[k] + ox].
 * - Ap: the weights in panels of mr output channels, panel element (k, i) at k·mr + i.
 * - y: the output rows of the channels being computed, channel i at y + i·yChan.
 * Nothing is packed per tile: the lowering is the offset table, the padded copy is made once.
 *
 * Register tile: mr output channels × 4·nv consecutive output positions of one output row,
 * mr·nv f32x4 accumulators. Per tap: nv v128 loads of x̂, mr load32_splat of Ap, mr·nv f32x4.mul
 * and as many f32x4.add. The 5×8 tile (ten accumulators, two x̂ vectors, the splat and the
 * product: 14 live v128 values) fits the 15 XMM registers V8 allocates on x64; a sixth row
 * (16 values) would spill. Ten independent add chains per tap cover the add latency.
 *
 * Arithmetic (what the JavaScript fallback in `direct32.ts` reproduces bit for bit): every
 * output starts at −0 (the additive identity) and adds fl(w·x) for k = 0 … K−1 in the weight
 * order, each a float32 multiply then a float32 add (no fused multiply–add), then, with a bias,
 * one float32 add of the bias. Float32 accumulation is inside the float32 bound (γ(n) with
 * u = 2⁻²⁴, any order). Lanes past the end of a row are computed on whatever follows in x̂ and
 * never stored.
 */
import {
  F32X4_ADD,
  F32X4_MUL,
  MODULE_PREAMBLE,
  W,
  functionBody,
  get,
  i32,
  name,
  set,
  section,
  simd,
  uleb,
  v128Load,
  v128Load32Splat,
  v128Store,
  v128Store32Lane,
  vec,
  sharedModule,
} from '../numeric/wasm-assembler.js';

/** Bytes of the module's memory, fixed (never grown, so views on it are never detached). */
export const WASM_CONV32_BYTES = 16 * 1024 * 1024;
const PAGES = WASM_CONV32_BYTES / 65536;

/** The tile shapes assembled: [mr, nv] (mr output channels × 4·nv output positions). */
export const CONV32_TILES: ReadonlyArray<readonly [number, number]> = [
  [4, 2],
  [3, 2],
  [2, 2],
  [1, 4],
];

/** Output positions per tile for a panel of mr channels. */
export function tileWidth(mr: number): number {
  return 4 * CONV32_TILES.find(([m]) => m === mr)![1];
}

/** Arguments of one call, all pointers in bytes into the module's memory. */
export interface Conv32Call {
  /** First panel of mr-row weights, K taps each. */
  readonly ap: number;
  readonly K: number;
  readonly panels: number;
  /** K int32 byte offsets into x̂, one per tap. */
  readonly offs: number;
  readonly x: number;
  /** R int32 byte offsets into x̂, one per output row. */
  readonly rowTab: number;
  readonly R: number;
  readonly OX: number;
  /** Output positions per column chunk (a multiple of the tile width). */
  readonly chunk: number;
  /** Output of the first channel of the first panel; channel i at y + i·yChan. */
  readonly y: number;
  readonly yChan: number;
  /** mr·panels float32 biases, or −1 for none. */
  readonly bias: number;
}

/** Arguments of `pad`: x̂ from the raw input rows (pointers in bytes, sizes in floats). */
export interface Conv32Pad {
  /** The raw input channels, channel c at src + c·dz·dy·dx·4. */
  readonly src: number;
  readonly dst: number;
  readonly channels: number;
  readonly planes: number;
  readonly rows: number;
  readonly Wq: number;
  readonly sx: number;
  readonly dz: number;
  readonly dy: number;
  readonly dx: number;
  readonly pz: number;
  readonly py: number;
  readonly px: number;
  /** With sx = 1: x̂ columns [lo, hi) come from the input, the rest are padding. */
  readonly lo: number;
  readonly hi: number;
}

type PadFn = (
  src: number,
  dst: number,
  channels: number,
  planes: number,
  rows: number,
  Wq: number,
  sx: number,
  dz: number,
  dy: number,
  dx: number,
  pz: number,
  py: number,
  px: number,
  lo: number,
  hi: number,
) => void;

type RunFn = (
  ap: number,
  K: number,
  panels: number,
  offs: number,
  x: number,
  rowTab: number,
  R: number,
  OX: number,
  chunk: number,
  y: number,
  yChan: number,
  bias: number,
) => void;

/** The instantiated module: one export per tile shape, and views of its memory. */
export class WasmConv32 {
  /** The shared instance, or undefined where WebAssembly SIMD is not available. */
  static readonly instance: () => WasmConv32 | undefined = sharedModule<Record<string, RunFn>, WasmConv32>(
    conv32Module,
    PAGES,
    (memory, exports) => new WasmConv32(memory, exports),
  );

  readonly f32: Float32Array;
  readonly i32: Int32Array;
  private readonly fns: Map<number, RunFn>;
  private readonly padFn: PadFn;

  private constructor(memory: WebAssembly.Memory, exports: Record<string, RunFn>) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.fns = new Map(CONV32_TILES.map(([mr]) => [mr, exports[`tile${mr}`]]));
    this.padFn = exports.pad as unknown as PadFn;
  }

  /**
   * Writes x̂ (zero-padded rows, split into sx column phases) at p.dst from the raw input
   * channels at p.src. May write up to 3 floats past the end of x̂ and read up to 3 past the
   * end of the input (both regions must exist).
   */
  pad(p: Conv32Pad): void {
    this.padFn(p.src, p.dst, p.channels, p.planes, p.rows, p.Wq, p.sx, p.dz, p.dy, p.dx, p.pz, p.py, p.px, p.lo, p.hi);
  }

  /** Runs `panels` panels of `mr` channels over every output row (see the module comment). */
  run(mr: number, c: Conv32Call): void {
    this.fns.get(mr)!(c.ap, c.K, c.panels, c.offs, c.x, c.rowTab, c.R, c.OX, c.chunk, c.y, c.yChan, c.bias);
  }
}

/** True when the WebAssembly SIMD float32 conv can run here (assembled and instantiated on first call). */
export function wasmConv32Available(): boolean {
  return WasmConv32.instance() !== undefined;
}

/** v128.const with four float32 lanes of −0. */
const F32X4_MINUS_ZERO = [...simd(0x0c), ...[0, 1, 2, 3].flatMap(() => [0, 0, 0, 0x80])];

/** `while (cond) { body }` as block/loop: out when `cond` (an i32) is 0. */
function whileLoop(cond: number[], body: number[]): number[] {
  return [W.block, W.void, W.loop, W.void, ...cond, W.i32Eqz, W.brIf, 1, ...body, W.br, 0, W.end, W.end];
}

/**
 * The body of `tile<mr>`:
 *   for t < R: in = x + rowTab[t]; yr = y + t·OX·4
 *     for c0 < OX step chunk: for q < panels: for ox0 in [c0, min(c0 + chunk, OX)) step nr:
 *       acc = −0; for k < K: X_v = x̂[in + off[k] + 4·ox0 + 16v]; acc[i][v] += splat(Ap[q][k][i])·X_v
 *       if bias ≥ 0: acc[i][v] += splat(bias[q·mr + i])
 *       store lanes ox0 … min(ox0 + nr, OX) − 1 of channel q·mr + i at yr + (q·mr + i)·yChan + 4·ox
 */
function tileBody(mr: number, nv: number): number[] {
  const nr = 4 * nv;
  const P = { ap: 0, K: 1, panels: 2, offs: 3, x: 4, rowTab: 5, R: 6, OX: 7, chunk: 8, y: 9, yChan: 10, bias: 11 };
  let next = 12;
  const L = {
    t: next++,
    inb: next++,
    yr: next++,
    c0: next++,
    cEnd: next++,
    q: next++,
    aq: next++,
    yq: next++,
    bq: next++,
    ox0: next++,
    base: next++,
    pa: next++,
    po: next++,
    pend: next++,
    addr: next++,
    dst: next++,
    rem: next++,
  };
  const nI32 = next - 12;
  const acc = Array.from({ length: mr * nv }, () => next++);
  const X = Array.from({ length: mr === 1 ? 1 : nv }, () => next++);
  const s = next++;
  const nV128 = next - 12 - nI32;
  const add = (a: number[], b: number[]) => [...a, ...b, W.i32Add];
  const mul = (a: number[], b: number[]) => [...a, ...b, W.i32Mul];
  const inc = (l: number, by: number[]) => [...get(l), ...by, W.i32Add, ...set(l)];
  const A = (i: number, v: number) => acc[i * nv + v];
  const madd = (i: number, v: number, x: number) => [...get(A(i, v)), ...get(s), ...get(x), ...F32X4_MUL, ...F32X4_ADD, ...set(A(i, v))];
  // One tap. With one row the x̂ vectors are loaded one at a time (fewer live values).
  const tap =
    mr === 1
      ? [
          ...get(L.pa),
          ...v128Load32Splat(0),
          ...set(s),
          ...Array.from({ length: nv }, (_, v) => [...get(L.addr), ...v128Load(0, 16 * v), ...set(X[0]), ...madd(0, v, X[0])]).flat(),
        ]
      : [
          ...Array.from({ length: nv }, (_, v) => [...get(L.addr), ...v128Load(0, 16 * v), ...set(X[v])]).flat(),
          ...Array.from({ length: mr }, (_, i) => [
            ...get(L.pa),
            ...v128Load32Splat(4 * i),
            ...set(s),
            ...Array.from({ length: nv }, (_, v) => madd(i, v, X[v])).flat(),
          ]).flat(),
        ];
  const kLoop = [
    ...get(L.aq),
    ...set(L.pa),
    ...get(P.offs),
    ...set(L.po),
    ...add(get(P.offs), mul(get(P.K), i32(4))),
    ...set(L.pend),
    W.loop,
    W.void,
    ...get(L.base),
    ...get(L.po),
    W.i32Load,
    2,
    0,
    W.i32Add,
    ...set(L.addr),
    ...tap,
    ...inc(L.pa, i32(4 * mr)),
    ...inc(L.po, i32(4)),
    ...get(L.po),
    ...get(L.pend),
    W.i32Ne,
    W.brIf,
    0,
    W.end,
  ];
  const addBias = [
    ...get(P.bias),
    ...i32(0),
    W.i32GeS,
    W.if,
    W.void,
    ...Array.from({ length: mr }, (_, i) => [
      ...get(L.bq),
      ...v128Load32Splat(4 * i),
      ...set(s),
      ...Array.from({ length: nv }, (_, v) => [...get(A(i, v)), ...get(s), ...F32X4_ADD, ...set(A(i, v))]).flat(),
    ]).flat(),
    W.end,
  ];
  // dst = yq + 4·ox0; row i at dst + i·yChan.
  const rowPtr = (i: number) => (i === 0 ? get(L.dst) : add(get(L.dst), mul(get(P.yChan), i32(i))));
  const fullStore = Array.from({ length: mr }, (_, i) =>
    Array.from({ length: nv }, (_, v) => [...rowPtr(i), ...get(A(i, v)), ...v128Store(0, 16 * v)]).flat(),
  ).flat();
  const maskedStore = Array.from({ length: mr }, (_, i) =>
    Array.from({ length: nr }, (_, j) => [
      ...get(L.rem),
      ...i32(j),
      W.i32GtS,
      W.if,
      W.void,
      ...rowPtr(i),
      ...get(A(i, j >> 2)),
      ...v128Store32Lane(4 * j, j & 3),
      W.end,
    ]).flat(),
  ).flat();
  const tile = [
    ...acc.flatMap((a) => [...F32X4_MINUS_ZERO, ...set(a)]),
    ...add(get(L.inb), mul(get(L.ox0), i32(4))),
    ...set(L.base),
    ...kLoop,
    ...addBias,
    ...add(get(L.yq), mul(get(L.ox0), i32(4))),
    ...set(L.dst),
    ...get(P.OX),
    ...get(L.ox0),
    W.i32Sub,
    ...set(L.rem),
    ...get(L.rem),
    ...i32(nr),
    W.i32GeS,
    W.if,
    W.void,
    ...fullStore,
    W.else,
    ...maskedStore,
    W.end,
  ];
  const lt = (a: number, b: number) => [...get(a), ...get(b), W.i32LtS];
  const code = [
    ...i32(0),
    ...set(L.t),
    ...whileLoop(lt(L.t, P.R), [
      ...add(get(P.x), [...add(get(P.rowTab), mul(get(L.t), i32(4))), W.i32Load, 2, 0]),
      ...set(L.inb),
      ...add(get(P.y), mul(mul(get(L.t), get(P.OX)), i32(4))),
      ...set(L.yr),
      ...i32(0),
      ...set(L.c0),
      ...whileLoop(lt(L.c0, P.OX), [
        ...add(get(L.c0), get(P.chunk)),
        ...set(L.cEnd),
        ...get(L.cEnd),
        ...get(P.OX),
        W.i32GtS,
        W.if,
        W.void,
        ...get(P.OX),
        ...set(L.cEnd),
        W.end,
        ...i32(0),
        ...set(L.q),
        ...whileLoop(lt(L.q, P.panels), [
          ...add(get(P.ap), mul(mul(get(L.q), get(P.K)), i32(4 * mr))),
          ...set(L.aq),
          ...add(get(L.yr), mul(mul(get(L.q), get(P.yChan)), i32(mr))),
          ...set(L.yq),
          ...add(get(P.bias), mul(get(L.q), i32(4 * mr))),
          ...set(L.bq),
          ...get(L.c0),
          ...set(L.ox0),
          ...whileLoop(lt(L.ox0, L.cEnd), [...tile, ...inc(L.ox0, i32(nr))]),
          ...inc(L.q, i32(1)),
        ]),
        ...get(L.cEnd),
        ...set(L.c0),
      ]),
      ...inc(L.t, i32(1)),
    ]),
    W.end,
  ];
  return functionBody(
    [
      [...uleb(nI32), W.i32],
      [...uleb(nV128), W.v128],
    ],
    code,
  );
}

/**
 * The body of `pad`:
 *   d = dst
 *   for c < channels, zz < planes, yy < rows:  (iz, iy) = (zz − pz, yy − py)
 *     outside the input: rowLen = sx·Wq zeros (written four at a time)
 *     sx = 1: zeros in [0, lo), x[c, iz, iy, u − px] for u in [lo, hi) (four at a time), zeros in [hi, Wq)
 *     sx > 1: phase φ, column q ← x[c, iz, iy, q·sx + φ − px], or 0 outside [0, dx)
 *     d += rowLen
 * Vector copies and fills may run up to 3 floats past their range: later writes of the same
 * row (or the next row) overwrite them, and the caller leaves room past x̂ and the input.
 */
function padBody(): number[] {
  const P = { src: 0, dst: 1, channels: 2, planes: 3, rows: 4, Wq: 5, sx: 6, dz: 7, dy: 8, dx: 9, pz: 10, py: 11, px: 12, lo: 13, hi: 14 };
  let next = 15;
  const L = {
    c: next++,
    zz: next++,
    yy: next++,
    d: next++,
    rowBytes: next++,
    srow: next++,
    u: next++,
    ph: next++,
    q: next++,
    ix: next++,
    dp: next++,
    iz: next++,
    iy: next++,
  };
  const nI32 = next - 15;
  const zero = next++;
  const add = (a: number[], b: number[]) => [...a, ...b, W.i32Add];
  const mul = (a: number[], b: number[]) => [...a, ...b, W.i32Mul];
  const inc = (l: number, by: number[]) => [...get(l), ...by, W.i32Add, ...set(l)];
  const lt = (a: number[], b: number[]) => [...a, ...b, W.i32LtS];
  const outside = (v: number, size: number) => [...get(v), ...get(size), W.i32GeU]; // unsigned: negative is outside too
  // Zero floats [from, to) of the row at d, four at a time.
  const zeros = (from: number[], to: number[]) => [
    ...from,
    ...set(L.u),
    ...whileLoop(lt(get(L.u), to), [...add(get(L.d), mul(get(L.u), i32(4))), ...get(zero), ...v128Store(0, 0), ...inc(L.u, i32(4))]),
  ];
  const copyRow = [
    ...zeros(i32(0), get(P.lo)),
    ...get(P.lo),
    ...set(L.u),
    ...whileLoop(lt(get(L.u), get(P.hi)), [
      ...add(get(L.d), mul(get(L.u), i32(4))),
      ...add(get(L.srow), mul([...get(L.u), ...get(P.px), W.i32Sub], i32(4))),
      ...v128Load(0, 0),
      ...v128Store(0, 0),
      ...inc(L.u, i32(4)),
    ]),
    ...zeros(get(P.hi), get(P.Wq)),
  ];
  const phaseRow = [
    ...i32(0),
    ...set(L.ph),
    ...get(L.d),
    ...set(L.dp),
    ...whileLoop(lt(get(L.ph), get(P.sx)), [
      ...i32(0),
      ...set(L.q),
      ...[...get(L.ph), ...get(P.px), W.i32Sub],
      ...set(L.ix),
      ...whileLoop(lt(get(L.q), get(P.Wq)), [
        ...add(get(L.dp), mul(get(L.q), i32(4))),
        ...outside(L.ix, P.dx),
        W.if,
        W.f32,
        W.f32Const,
        0,
        0,
        0,
        0,
        W.else,
        ...add(get(L.srow), mul(get(L.ix), i32(4))),
        W.f32Load,
        2,
        0,
        W.end,
        W.f32Store,
        2,
        0,
        ...inc(L.q, i32(1)),
        ...inc(L.ix, get(P.sx)),
      ]),
      ...inc(L.dp, mul(get(P.Wq), i32(4))),
      ...inc(L.ph, i32(1)),
    ]),
  ];
  const row = [
    ...get(L.yy),
    ...get(P.py),
    W.i32Sub,
    ...set(L.iy),
    ...outside(L.iz, P.dz),
    ...outside(L.iy, P.dy),
    W.i32Or,
    W.if,
    W.void,
    ...zeros(i32(0), mul(get(P.sx), get(P.Wq))),
    W.else,
    // srow = src + ((c·dz + iz)·dy + iy)·dx·4
    ...add(get(P.src), mul(mul(add(mul(add(mul(get(L.c), get(P.dz)), get(L.iz)), get(P.dy)), get(L.iy)), get(P.dx)), i32(4))),
    ...set(L.srow),
    ...get(P.sx),
    ...i32(1),
    W.i32Eq,
    W.if,
    W.void,
    ...copyRow,
    W.else,
    ...phaseRow,
    W.end,
    W.end,
    ...inc(L.d, get(L.rowBytes)),
  ];
  const code = [
    ...get(P.dst),
    ...set(L.d),
    ...mul(mul(get(P.sx), get(P.Wq)), i32(4)),
    ...set(L.rowBytes),
    ...simd(0x0c),
    ...new Array<number>(16).fill(0),
    ...set(zero),
    ...i32(0),
    ...set(L.c),
    ...whileLoop(lt(get(L.c), get(P.channels)), [
      ...i32(0),
      ...set(L.zz),
      ...whileLoop(lt(get(L.zz), get(P.planes)), [
        ...get(L.zz),
        ...get(P.pz),
        W.i32Sub,
        ...set(L.iz),
        ...i32(0),
        ...set(L.yy),
        ...whileLoop(lt(get(L.yy), get(P.rows)), [...row, ...inc(L.yy, i32(1))]),
        ...inc(L.zz, i32(1)),
      ]),
      ...inc(L.c, i32(1)),
    ]),
    W.end,
  ];
  return functionBody(
    [
      [...uleb(nI32), W.i32],
      [...uleb(1), W.v128],
    ],
    code,
  );
}

/** The module: imports env.memory, exports tile<mr> for every tile shape, each (i32 × 12) → (), and pad (i32 × 15) → (). */
function conv32Module(): Uint8Array<ArrayBuffer> {
  const type = (n: number) => [0x60, ...vec(Array.from({ length: n }, () => [W.i32])), ...vec([])];
  return new Uint8Array([
    ...MODULE_PREAMBLE,
    ...section(1, vec([type(12), type(15)])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x01, ...uleb(PAGES), ...uleb(PAGES)]])),
    ...section(3, vec([...CONV32_TILES.map(() => [0]), [1]])),
    ...section(7, vec([...CONV32_TILES.map(([mr], i) => [...name(`tile${mr}`), 0x00, i]), [...name('pad'), 0x00, CONV32_TILES.length]])),
    ...section(10, vec([...CONV32_TILES.map(([mr, nv]) => tileBody(mr, nv)), padBody()])),
  ]);
}
