/**
 * The conv, ConvTranspose and dense layers of real networks with their exact geometry, batch 1 — what
 * `convcheck verify --size production` runs. Layers that share a geometry within a network are
 * listed once, with `count` = how many there are. Pooling, normalisation and activations are not
 * kernels under test; the input sizes below are the sizes those layers leave.
 *
 * Conventions: PyTorch / ONNX (NCHW, symmetric pads where the model's definition has them).
 * Where TensorFlow's `SAME` gives a different, asymmetric padding (stride 2 on an even input), the
 * TF variant is listed too: converted models run exactly those.
 */
import type { ModelLayer } from './layers.js';

type Op = { network: string; count?: number };

function conv2d(
  o: Op,
  name: string,
  C: number,
  H: number,
  W: number,
  M: number,
  k: number,
  s = 1,
  p = 0,
  extra: { group?: number; bias?: boolean; dilation?: number; pads?: number[] } = {},
): ModelLayer {
  const group = extra.group ?? 1;
  const d = extra.dilation ?? 1;
  return {
    network: o.network,
    name,
    op: 'conv',
    count: o.count ?? 1,
    spec: {
      xShape: [1, C, H, W],
      wShape: [M, C / group, k, k],
      attrs: { strides: [s, s], pads: extra.pads ?? [p, p, p, p], dilations: [d, d], group },
      hasBias: extra.bias ?? true,
    },
  };
}

/** A dense layer K → M; `flattens`: the feature map [C, D1..Dn] its input is flattened from (channels-first), where the network has one. */
function dense(o: Op, name: string, K: number, M: number, bias = true, flattens?: number[]): ModelLayer {
  return {
    network: o.network,
    name,
    op: 'dense',
    count: o.count ?? 1,
    spec: { xShape: [1, K], wShape: [M, K], hasBias: bias },
    ...(flattens ? { flattens } : {}),
  };
}

const n = (network: string, count?: number): Op => ({ network, count });

/** LeNet-5 (LeCun et al. 1998) on 32×32: C1, C3 (full connection table), C5 as the full-extent conv on 5×5, F6, output. */
const LENET5 = 'LeNet-5';
const lenet5: ModelLayer[] = [
  conv2d(n(LENET5), 'C1', 1, 32, 32, 6, 5),
  conv2d(n(LENET5), 'C3', 6, 14, 14, 16, 5),
  conv2d(n(LENET5), 'C5 (full-extent conv)', 16, 5, 5, 120, 5),
  dense(n(LENET5), 'F6', 120, 84),
  dense(n(LENET5), 'output', 84, 10),
];

/** VGG-16 (Simonyan & Zisserman 2015, configuration D) on 224×224; fc6 as a 7×7 conv, fc7/fc8 as 1×1 convs, and as dense layers. */
const VGG16 = 'VGG-16';
const vgg16: ModelLayer[] = [
  conv2d(n(VGG16), 'conv1_1', 3, 224, 224, 64, 3, 1, 1),
  conv2d(n(VGG16), 'conv1_2', 64, 224, 224, 64, 3, 1, 1),
  conv2d(n(VGG16), 'conv2_1', 64, 112, 112, 128, 3, 1, 1),
  conv2d(n(VGG16), 'conv2_2', 128, 112, 112, 128, 3, 1, 1),
  conv2d(n(VGG16), 'conv3_1', 128, 56, 56, 256, 3, 1, 1),
  conv2d(n(VGG16, 2), 'conv3_2, conv3_3', 256, 56, 56, 256, 3, 1, 1),
  conv2d(n(VGG16), 'conv4_1', 256, 28, 28, 512, 3, 1, 1),
  conv2d(n(VGG16, 2), 'conv4_2, conv4_3', 512, 28, 28, 512, 3, 1, 1),
  conv2d(n(VGG16, 3), 'conv5_1..conv5_3', 512, 14, 14, 512, 3, 1, 1),
  conv2d(n(VGG16), 'fc6 as 7×7 conv', 512, 7, 7, 4096, 7),
  conv2d(n(VGG16), 'fc7 as 1×1 conv', 4096, 1, 1, 4096, 1),
  conv2d(n(VGG16), 'fc8 as 1×1 conv', 4096, 1, 1, 1000, 1),
  dense(n(VGG16), 'fc6', 25088, 4096, true, [512, 7, 7]),
  dense(n(VGG16), 'fc7', 4096, 4096),
  dense(n(VGG16), 'fc8', 4096, 1000),
];

/** ResNet-50 (He et al. 2016; torchvision's v1.5: stride on the 3×3 conv) on 224×224; convs without bias (batch norm follows). */
const RESNET50 = 'ResNet-50';
const rb = (count: number) => n(RESNET50, count);
const nb = { bias: false };
const resnet50: ModelLayer[] = [
  conv2d(rb(1), 'conv1 7×7/2', 3, 224, 224, 64, 7, 2, 3, nb),
  conv2d(rb(1), 'layer1 1×1 64→64', 64, 56, 56, 64, 1, 1, 0, nb),
  conv2d(rb(3), 'layer1 3×3 64', 64, 56, 56, 64, 3, 1, 1, nb),
  conv2d(rb(4), 'layer1 1×1 64→256 (+ downsample)', 64, 56, 56, 256, 1, 1, 0, nb),
  conv2d(rb(2), 'layer1 1×1 256→64', 256, 56, 56, 64, 1, 1, 0, nb),
  conv2d(rb(1), 'layer2 1×1 256→128', 256, 56, 56, 128, 1, 1, 0, nb),
  conv2d(rb(1), 'layer2 3×3/2 128', 128, 56, 56, 128, 3, 2, 1, nb),
  conv2d(rb(1), 'layer2 downsample 1×1/2 256→512', 256, 56, 56, 512, 1, 2, 0, nb),
  conv2d(rb(4), 'layer2 1×1 128→512', 128, 28, 28, 512, 1, 1, 0, nb),
  conv2d(rb(3), 'layer2 1×1 512→128', 512, 28, 28, 128, 1, 1, 0, nb),
  conv2d(rb(3), 'layer2 3×3 128', 128, 28, 28, 128, 3, 1, 1, nb),
  conv2d(rb(1), 'layer3 1×1 512→256', 512, 28, 28, 256, 1, 1, 0, nb),
  conv2d(rb(1), 'layer3 3×3/2 256', 256, 28, 28, 256, 3, 2, 1, nb),
  conv2d(rb(1), 'layer3 downsample 1×1/2 512→1024', 512, 28, 28, 1024, 1, 2, 0, nb),
  conv2d(rb(6), 'layer3 1×1 256→1024', 256, 14, 14, 1024, 1, 1, 0, nb),
  conv2d(rb(5), 'layer3 1×1 1024→256', 1024, 14, 14, 256, 1, 1, 0, nb),
  conv2d(rb(5), 'layer3 3×3 256', 256, 14, 14, 256, 3, 1, 1, nb),
  conv2d(rb(1), 'layer4 1×1 1024→512', 1024, 14, 14, 512, 1, 1, 0, nb),
  conv2d(rb(1), 'layer4 3×3/2 512', 512, 14, 14, 512, 3, 2, 1, nb),
  conv2d(rb(1), 'layer4 downsample 1×1/2 1024→2048', 1024, 14, 14, 2048, 1, 2, 0, nb),
  conv2d(rb(3), 'layer4 1×1 512→2048', 512, 7, 7, 2048, 1, 1, 0, nb),
  conv2d(rb(2), 'layer4 1×1 2048→512', 2048, 7, 7, 512, 1, 1, 0, nb),
  conv2d(rb(2), 'layer4 3×3 512', 512, 7, 7, 512, 3, 1, 1, nb),
  dense(rb(1), 'fc', 2048, 1000),
];

/**
 * MobileNet-v2 (Sandler et al. 2018, width 1.0) on 224×224: the stem, then per inverted residual
 * block the 1×1 expansion (factor 6), the 3×3 depthwise conv and the 1×1 projection; convs without
 * bias. Stride-2 depthwise convs also in TensorFlow's SAME padding (0 before, 1 after).
 */
const MOBILENETV2 = 'MobileNet-v2';
function mobilenetV2(): ModelLayer[] {
  const out: ModelLayer[] = [conv2d(n(MOBILENETV2), 'stem 3×3/2', 3, 224, 224, 32, 3, 2, 1, nb)];
  // the first block has no expansion
  out.push(conv2d(n(MOBILENETV2), 'block1 depthwise 3×3 32', 32, 112, 112, 32, 3, 1, 1, { group: 32, bias: false }));
  out.push(conv2d(n(MOBILENETV2), 'block1 project 32→16', 32, 112, 112, 16, 1, 1, 0, nb));
  // (expansion t, output channels c, repeats, first stride)
  const stages: Array<[number, number, number, number]> = [
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let cin = 16;
  let side = 112;
  stages.forEach(([t, c, reps, s], i) => {
    const stage = `stage${i + 2}`;
    const e = cin * t;
    // first block of the stage: expand at the input size, depthwise with the stage's stride
    out.push(conv2d(n(MOBILENETV2), `${stage} expand ${cin}→${e}`, cin, side, side, e, 1, 1, 0, nb));
    out.push(
      conv2d(n(MOBILENETV2), `${stage} depthwise 3×3${s > 1 ? '/2' : ''} ${e}`, e, side, side, e, 3, s, 1, { group: e, bias: false }),
    );
    if (s === 2)
      out.push(
        conv2d(n(MOBILENETV2), `${stage} depthwise 3×3/2 ${e} (TF SAME: pads 0 before, 1 after)`, e, side, side, e, 3, 2, 0, {
          group: e,
          bias: false,
          pads: [0, 0, 1, 1],
        }),
      );
    side = Math.floor((side + 2 - 3) / s) + 1;
    out.push(conv2d(n(MOBILENETV2), `${stage} project ${e}→${c}`, e, side, side, c, 1, 1, 0, nb));
    if (reps > 1) {
      const e2 = c * t;
      out.push(conv2d(n(MOBILENETV2, reps - 1), `${stage} expand ${c}→${e2}`, c, side, side, e2, 1, 1, 0, nb));
      out.push(conv2d(n(MOBILENETV2, reps - 1), `${stage} depthwise 3×3 ${e2}`, e2, side, side, e2, 3, 1, 1, { group: e2, bias: false }));
      out.push(conv2d(n(MOBILENETV2, reps - 1), `${stage} project ${e2}→${c}`, e2, side, side, c, 1, 1, 0, nb));
    }
    cin = c;
  });
  out.push(conv2d(n(MOBILENETV2), 'last 1×1 320→1280', 320, 7, 7, 1280, 1, 1, 0, nb));
  out.push(dense(n(MOBILENETV2), 'classifier', 1280, 1000));
  return out;
}

/**
 * DeepLab-v3 on MobileNet-v2 at output stride 8, 513×513 input: the last stages run at 65×65 with
 * dilated depthwise convs (the 65×65×960, dilation 4 layer of tfjs#5378).
 */
const DEEPLAB = 'DeepLab-v3 (MobileNet-v2, OS 8)';
const deeplab: ModelLayer[] = [
  conv2d(n(DEEPLAB, 3), 'stage5 depthwise 3×3 576, dilation 2', 576, 65, 65, 576, 3, 1, 2, { group: 576, bias: false, dilation: 2 }),
  conv2d(n(DEEPLAB, 3), 'stage6 depthwise 3×3 960, dilation 4', 960, 65, 65, 960, 3, 1, 4, { group: 960, bias: false, dilation: 4 }),
  conv2d(n(DEEPLAB, 1), 'stage7 project 960→320', 960, 65, 65, 320, 1, 1, 0, nb),
];

/**
 * 1-D audio: M5 (Dai et al. 2017, "Very deep convolutional neural networks for raw waveforms") on
 * 32,000 samples (4 s at 8 kHz): an 80-tap stride-4 front end, then 3-tap convs after 4× pooling.
 */
const M5 = 'M5 (raw-waveform audio, 1-D)';
const conv1d = (name: string, C: number, L: number, M: number, k: number, s: number, p: number): ModelLayer => ({
  network: M5,
  name,
  op: 'conv',
  count: 1,
  spec: { xShape: [1, C, L], wShape: [M, C, k], attrs: { strides: [s], pads: [p, p], dilations: [1], group: 1 }, hasBias: true },
});
const m5: ModelLayer[] = [
  conv1d('conv1 k80/4', 1, 32000, 128, 80, 4, 0),
  conv1d('conv2 k3', 128, 1995, 128, 3, 1, 1),
  conv1d('conv3 k3', 128, 498, 256, 3, 1, 1),
  conv1d('conv4 k3', 256, 124, 512, 3, 1, 1),
  dense(n(M5), 'fc', 512, 10),
];

/**
 * 3-D video: C3D (Tran et al. 2015) on 16 frames of 112×112: 3×3×3 convs with padding 1, pooling
 * 1×2×2 after conv1 and 2×2×2 after the others; fc6 on the 512×1×4×4 map (8,192 features).
 */
const C3D = 'C3D (video, 3-D)';
const conv3d = (name: string, C: number, T: number, H: number, M: number, count = 1): ModelLayer => ({
  network: C3D,
  name,
  op: 'conv',
  count,
  spec: {
    xShape: [1, C, T, H, H],
    wShape: [M, C, 3, 3, 3],
    attrs: { strides: [1, 1, 1], pads: [1, 1, 1, 1, 1, 1], dilations: [1, 1, 1], group: 1 },
    hasBias: true,
  },
});
const c3d: ModelLayer[] = [
  conv3d('conv1a', 3, 16, 112, 64),
  conv3d('conv2a', 64, 16, 56, 128),
  conv3d('conv3a', 128, 8, 28, 256),
  conv3d('conv3b', 256, 8, 28, 256),
  conv3d('conv4a', 256, 4, 14, 512),
  conv3d('conv4b', 512, 4, 14, 512),
  conv3d('conv5a, conv5b', 512, 2, 7, 512, 2),
  dense(n(C3D), 'fc6', 8192, 4096, true, [512, 1, 4, 4]),
  dense(n(C3D), 'fc7', 4096, 4096),
  dense(n(C3D), 'fc8', 4096, 487),
];

/** A 2-D ConvTranspose layer: x `[1, C, H, W]`, w `[C, M, k, k]` (ONNX), stride s, pads p on every side, no output padding. */
function convTranspose2d(
  o: Op,
  name: string,
  C: number,
  H: number,
  W: number,
  M: number,
  k: number,
  s: number,
  p: number,
  bias: boolean,
): ModelLayer {
  return {
    network: o.network,
    name,
    op: 'convTranspose',
    count: o.count ?? 1,
    spec: {
      xShape: [1, C, H, W],
      wShape: [C, M, k, k],
      attrs: { strides: [s, s], pads: [p, p, p, p], dilations: [1, 1], group: 1, outputPadding: [0, 0] },
      hasBias: bias,
    },
  };
}

/**
 * DCGAN's generator (Radford et al. 2016; the PyTorch DCGAN example: nz = 100, ngf = 64, 64×64×3
 * images): a 4×4 ConvTranspose from the 1×1 latent, then 4×4 stride 2 pad 1, doubling the side
 * each time (O = 2·(D−1) + 4 − 2 = 2D): 1 → 4 → 8 → 16 → 32 → 64; no bias (batch norm follows).
 */
const DCGAN = 'DCGAN generator (64×64)';
const dcgan: ModelLayer[] = [
  convTranspose2d(n(DCGAN), 'project 100→512, 1×1→4×4', 100, 1, 1, 512, 4, 1, 0, false),
  convTranspose2d(n(DCGAN), 'up 512→256, 4×4/2, 4→8', 512, 4, 4, 256, 4, 2, 1, false),
  convTranspose2d(n(DCGAN), 'up 256→128, 4×4/2, 8→16', 256, 8, 8, 128, 4, 2, 1, false),
  convTranspose2d(n(DCGAN), 'up 128→64, 4×4/2, 16→32', 128, 16, 16, 64, 4, 2, 1, false),
  convTranspose2d(n(DCGAN), 'to RGB 64→3, 4×4/2, 32→64', 64, 32, 32, 3, 4, 2, 1, false),
];

/**
 * FCN-8s (Long et al. 2015, the Caffe voc-fcn8s model on a 500×500 input, 21 classes): the two 2×
 * upsamplings of the score maps, 4×4 stride 2 without padding or bias (O = 2·(D−1) + 4):
 * score_fr 16×16 → 34×34, fused with pool4's scores and upsampled again 34×34 → 70×70; then the
 * final 8× upsampling, 16×16 stride 8 (O = 8·69 + 16 = 568; Caffe crops it to the 500×500 input
 * afterwards), 0.55 G multiply-adds.
 */
const FCN8S = 'FCN-8s (500×500)';
const fcn8s: ModelLayer[] = [
  convTranspose2d(n(FCN8S), 'upscore2 21→21, 4×4/2, 16→34', 21, 16, 16, 21, 4, 2, 0, false),
  convTranspose2d(n(FCN8S), 'upscore_pool4 21→21, 4×4/2, 34→70', 21, 34, 34, 21, 4, 2, 0, false),
  convTranspose2d(n(FCN8S), 'upscore8 21→21, 16×16/8, 70→568', 21, 70, 70, 21, 16, 8, 0, false),
];

/** Every built-in network's layers, in the order `--size production` runs them. */
export const PRODUCTION_LAYERS: readonly ModelLayer[] = [
  ...lenet5,
  ...vgg16,
  ...resnet50,
  ...mobilenetV2(),
  ...deeplab,
  ...m5,
  ...c3d,
  ...dcgan,
  ...fcn8s,
];

/** The built-in networks' names. */
export const PRODUCTION_NETWORKS: readonly string[] = [...new Set(PRODUCTION_LAYERS.map((l) => l.network))];
