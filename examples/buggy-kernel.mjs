// A plug-in kernel with a classic bug: it applies each axis's padding at the wrong end (reads
// ONNX pads as [x1_end, …, x1_begin, …]) — the SAME_UPPER / SAME_LOWER confusion. The output
// shape is right and symmetric padding hides it; convcheck finds an asymmetric case, shrinks it
// and draws where the output is wrong:
//
//     npx convcheck verify --kernel examples/buggy-kernel.mjs
//
// The default export may also be a function (sync or async) returning the kernel, here used to
// show asynchronous set-up. Outside this repository, import from 'convcheck' instead of '../dist'.
import { im2colKernel } from '../dist/index.js';

export default async function createKernel() {
  return {
    name: 'example:pads-wrong-end',
    precision: 'float32',
    conv(x, w, b, attrs) {
      const r = attrs.strides.length;
      const pads = [...attrs.pads.slice(r), ...attrs.pads.slice(0, r)]; // the bug
      return im2colKernel.conv(x, w, b, { ...attrs, pads });
    },
    dense: im2colKernel.dense,
  };
}
