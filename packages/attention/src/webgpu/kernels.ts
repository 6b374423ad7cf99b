import matmulSrc from './matmul.wgsl?raw';
import matmulSmallSrc from './matmul-small.wgsl?raw';
import softmaxSrc from './softmax.wgsl?raw';
import attentionSrc from './attention.wgsl?raw';
import attentionSmallSrc from './attention-small.wgsl?raw';
import scoresSrc from './attention-scores.wgsl?raw';
import flashSrc from './flash.wgsl?raw';
import maskSrc from './mask.wgsl?raw';
import inputsSrc from './attention-inputs.wgsl?raw';
import reduceSrc from './row-reduce.wgsl?raw';
import layerNormSrc from './layernorm.wgsl?raw';
import addSrc from './add.wgsl?raw';
import copySrc from './copy.wgsl?raw';
import geluSrc from './gelu.wgsl?raw';
import gridFnSrc from './grid.wgsl?raw';
import { ROWS_PER_DIM } from './constants';

/** grid.wgsl with the one number it needs, from constants.ts (which dispatch.ts folds grids by). */
const gridSrc = `const ROWS_PER_DIM: u32 = ${ROWS_PER_DIM}u;\n${gridFnSrc}`;

/** How a kernel sees one binding (all in group 0, numbered in order). */
export type BindingKind = 'uniform' | 'read-only-storage' | 'storage';

export interface KernelDef {
  /** Full WGSL text, preludes included. */
  source: string;
  bindings: readonly BindingKind[];
}

/**
 * Every kernel with its explicit bind-group layout. Explicit, not 'auto':
 * with 'auto' a binding the compiler finds unused (a stage buffer when
 * WRITE_STAGES is false) would vanish from the layout and the bind group
 * would no longer match it.
 */
export const KERNELS = {
  matmul: {
    source: matmulSrc,
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  matmulSmall: {
    source: `${gridSrc}\n${matmulSmallSrc}`,
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  softmax: {
    source: `${gridSrc}\n${reduceSrc}\n${softmaxSrc}`,
    bindings: ['uniform', 'read-only-storage', 'storage'],
  },
  attention: {
    source: `${gridSrc}\n${reduceSrc}\n${inputsSrc}\n${maskSrc}\n${scoresSrc}\n${attentionSrc}`,
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage'],
  },
  attentionSmall: {
    source: `${gridSrc}\n${inputsSrc}\n${maskSrc}\n${scoresSrc}\n${attentionSmallSrc}`,
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage'],
  },
  flash: {
    source: `${gridSrc}\n${inputsSrc}\n${maskSrc}\n${flashSrc}`,
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  layernorm: {
    source: `${gridSrc}\n${reduceSrc}\n${layerNormSrc}`,
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  add: {
    source: `${gridSrc}\n${addSrc}`,
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  gelu: {
    source: `${gridSrc}\n${geluSrc}`,
    bindings: ['uniform', 'read-only-storage', 'storage'],
  },
  copy: {
    source: `${gridSrc}\n${copySrc}`,
    bindings: ['uniform', 'read-only-storage', 'storage'],
  },
} as const satisfies Record<string, KernelDef>;

export type KernelName = keyof typeof KERNELS;
