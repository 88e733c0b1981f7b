// Direct convolution, ONNX layout, one invocation per output element. Every spatial rank runs as
// rank 3 (missing axes have size 1). Sums in float32 over (c, kz, ky, kx), then adds the bias.
// p: [total, N, C, M, group, hasBias, D, H, W, kD, kH, kW, oD, oH, oW, sD, sH, sW, dD, dH, dW, padD, padH, padW]

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read> p: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  // Dispatches wider than 65 535 workgroups are folded into y (see the host code).
  let i = gid.x + gid.y * groups.x * 64u;
  if (i >= p[0]) {
    return;
  }
  let C = p[2];
  let M = p[3];
  let cg = C / p[4];
  let mg = M / p[4];
  var r = i;
  let ox = r % p[14];
  r = r / p[14];
  let oy = r % p[13];
  r = r / p[13];
  let oz = r % p[12];
  r = r / p[12];
  let m = r % M;
  let n = r / M;
  let g = m / mg;
  var acc: f32 = 0.0;
  for (var c = 0u; c < cg; c++) {
    let ci = g * cg + c;
    for (var kz = 0u; kz < p[9]; kz++) {
      let iz = i32(oz * p[15] + kz * p[18]) - i32(p[21]);
      if (iz < 0 || iz >= i32(p[6])) {
        continue;
      }
      for (var ky = 0u; ky < p[10]; ky++) {
        let iy = i32(oy * p[16] + ky * p[19]) - i32(p[22]);
        if (iy < 0 || iy >= i32(p[7])) {
          continue;
        }
        for (var kx = 0u; kx < p[11]; kx++) {
          let ix = i32(ox * p[17] + kx * p[20]) - i32(p[23]);
          if (ix < 0 || ix >= i32(p[8])) {
            continue;
          }
          let xi = (((n * C + ci) * p[6] + u32(iz)) * p[7] + u32(iy)) * p[8] + u32(ix);
          let wi = (((m * cg + c) * p[9] + kz) * p[10] + ky) * p[11] + kx;
          acc = acc + x[xi] * w[wi];
        }
      }
    }
  }
  if (p[5] == 1u) {
    acc = acc + b[m];
  }
  y[i] = acc;
}
