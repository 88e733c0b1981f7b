// A plug-in kernel with a classic bug: it reads ONNX pads as per-axis [begin, end] pairs
// instead of [x1_begin, x2_begin, …, x1_end, x2_end]. Symmetric padding hides it; convcheck
// finds an asymmetric case and shrinks it:
//
//     npx convcheck verify --kernel examples/buggy-kernel.mjs
//
// The default export may also be a function (sync or async) returning the kernel.
import { im2colKernel } from '../dist/index.js';

export default async function createKernel() {
  return {
    name: 'example:pads-as-pairs',
    precision: 'float32',
    conv(x, w, b, attrs) {
      const r = attrs.strides.length;
      const pairs = []; // the bug: treat [a, b, c, d] as [[a, b], [c, d]]
      for (let i = 0; i < r; i++) pairs.push(attrs.pads[2 * i], attrs.pads[2 * i + 1]);
      const begins = pairs.filter((_, i) => i % 2 === 0);
      const ends = pairs.filter((_, i) => i % 2 === 1);
      return im2colKernel.conv(x, w, b, { ...attrs, pads: [...begins, ...ends] });
    },
    dense: im2colKernel.dense,
  };
}
