/**
 * The page's record of the GPU programs a kernel creates and uses, for `--coverage`. Installed
 * before the kernel module loads, it wraps
 * - WebGPU: `GPUDevice.prototype.createShaderModule` (the WGSL source → its variant key),
 *   `createComputePipeline` / `createComputePipelineAsync` / `createRenderPipeline` (pipeline →
 *   its modules' keys) and `setPipeline` of compute and render passes (a use);
 * - WebGL 1 and 2: `createShader` (its type), `shaderSource` (its source's key), `attachShader`
 *   (program → shaders) and `useProgram` (a use).
 * Each call's reply carries what was created and used since the previous one (`takeShaders`).
 * A wrapper only records and then calls the original with the same arguments; if recording
 * throws, the call still goes through.
 *
 * This file runs in the browser (bundled with the page runtime).
 */
import type { CallShaders, ShaderVariantSeen } from '../runner/kernel-coverage-probe.js';
import { shaderVariantKey } from '../runner/kernel-coverage-probe.js';

let created: ShaderVariantSeen[] = [];
let used = new Set<string>();
const sentSources = new Set<string>();

/** Records a created source; its text goes with the first reply that mentions its variant. */
function create(kind: string, source: string): string {
  const key = shaderVariantKey(source);
  const first = !sentSources.has(key);
  sentSources.add(key);
  created.push({ key, kind, ...(first ? { source } : {}) });
  return key;
}

/** What was created and used since the last take. */
export function takeShaders(): CallShaders {
  const out = { created, used: [...used] };
  created = [];
  used = new Set();
  return out;
}

type Proto = Record<string, unknown>;

/** Replaces `proto[name]` with `wrap(original)` if it is a function. */
function patch(proto: Proto | undefined, name: string, wrap: (original: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown): void {
  if (proto === undefined || typeof proto[name] !== 'function') return;
  proto[name] = wrap(proto[name] as (...a: unknown[]) => unknown);
}

/** Runs `record` and ignores what it throws: recording must never change the kernel's call. */
function quietly(record: () => void): void {
  try {
    record();
  } catch {
    // a descriptor we do not understand: not recorded
  }
}

/** Installs the wrappers (once). */
export function installShaderProbe(): void {
  const g = globalThis as unknown as Record<string, { prototype: Proto } | undefined>;
  if ((globalThis as { __convcheckShaderProbe?: boolean }).__convcheckShaderProbe) return;
  (globalThis as { __convcheckShaderProbe?: boolean }).__convcheckShaderProbe = true;

  // WebGPU
  const moduleKey = new WeakMap<object, string>();
  const pipelineKeys = new WeakMap<object, string[]>();
  const stagesOf = (desc: Record<string, { module?: object } | undefined>): string[] =>
    ['compute', 'vertex', 'fragment'].map((s) => desc?.[s]?.module).flatMap((m) => (m !== undefined && moduleKey.has(m) ? [moduleKey.get(m)!] : []));
  const device = g.GPUDevice?.prototype;
  patch(device, 'createShaderModule', (original) =>
    function (this: unknown, ...args: unknown[]) {
      const module = original.apply(this, args);
      quietly(() => {
        const code = (args[0] as { code?: unknown })?.code;
        if (typeof code === 'string' && typeof module === 'object' && module !== null) moduleKey.set(module, create('wgsl', code));
      });
      return module;
    },
  );
  for (const name of ['createComputePipeline', 'createRenderPipeline']) {
    patch(device, name, (original) =>
      function (this: unknown, ...args: unknown[]) {
        const pipeline = original.apply(this, args);
        quietly(() => void (typeof pipeline === 'object' && pipeline !== null && pipelineKeys.set(pipeline, stagesOf(args[0] as never))));
        return pipeline;
      },
    );
  }
  for (const name of ['createComputePipelineAsync', 'createRenderPipelineAsync']) {
    patch(device, name, (original) =>
      function (this: unknown, ...args: unknown[]) {
        const keys = (() => {
          try {
            return stagesOf(args[0] as never);
          } catch {
            return [];
          }
        })();
        return (original.apply(this, args) as Promise<object>).then((pipeline) => {
          quietly(() => void pipelineKeys.set(pipeline, keys));
          return pipeline;
        });
      },
    );
  }
  for (const pass of ['GPUComputePassEncoder', 'GPURenderPassEncoder', 'GPURenderBundleEncoder']) {
    patch(g[pass]?.prototype, 'setPipeline', (original) =>
      function (this: unknown, ...args: unknown[]) {
        quietly(() => {
          for (const k of pipelineKeys.get(args[0] as object) ?? []) used.add(k);
        });
        return original.apply(this, args);
      },
    );
  }

  // WebGL 1 and 2
  for (const ctx of ['WebGLRenderingContext', 'WebGL2RenderingContext']) {
    const proto = g[ctx]?.prototype;
    const shaderType = new WeakMap<object, number>();
    const shaderKey = new WeakMap<object, string>();
    const programShaders = new WeakMap<object, Set<object>>();
    patch(proto, 'createShader', (original) =>
      function (this: unknown, ...args: unknown[]) {
        const shader = original.apply(this, args);
        quietly(() => void (shader && shaderType.set(shader as object, args[0] as number)));
        return shader;
      },
    );
    patch(proto, 'shaderSource', (original) =>
      function (this: unknown, ...args: unknown[]) {
        quietly(() => {
          const [shader, source] = args as [object, unknown];
          // 0x8b31 VERTEX_SHADER, 0x8b30 FRAGMENT_SHADER
          const kind = shaderType.get(shader) === 0x8b31 ? 'glsl-vertex' : 'glsl-fragment';
          if (typeof source === 'string') shaderKey.set(shader, create(kind, source));
        });
        return original.apply(this, args);
      },
    );
    patch(proto, 'attachShader', (original) =>
      function (this: unknown, ...args: unknown[]) {
        quietly(() => {
          const [program, shader] = args as [object, object];
          let set = programShaders.get(program);
          if (set === undefined) programShaders.set(program, (set = new Set()));
          set.add(shader);
        });
        return original.apply(this, args);
      },
    );
    patch(proto, 'useProgram', (original) =>
      function (this: unknown, ...args: unknown[]) {
        quietly(() => {
          for (const s of programShaders.get(args[0] as object) ?? []) {
            const k = shaderKey.get(s);
            if (k !== undefined) used.add(k);
          }
        });
        return original.apply(this, args);
      },
    );
  }
}
