/**
 * Reuses GPU buffers across calls. Buffers are bucketed by usage and by size
 * rounded up to a power of two (at least MIN_BYTES), so a demo that reruns the
 * same problem as a slider moves allocates nothing after the first run, and
 * problems of similar size share buffers. A buffer goes back to the pool only
 * once the call that used it has finished on the GPU (its readback resolved),
 * so reuse never races a running dispatch.
 */

/** Smallest bucket: uniform blocks and tiny tensors share one size class. */
const MIN_BYTES = 256;
/**
 * Free buffers kept per bucket: one attention call binds up to 9 buffers
 * (uniform, Q, K, V, mask, weights, output, stages and their readback), but
 * a batch (batch.ts) takes one per value it computes and one uniform per
 * dispatch: a step of the guide's decoder takes 75, most of them in the
 * 256-byte bucket.
 */
const MAX_FREE_PER_BUCKET = 256;
/** Bytes kept in free lists at most, so an idle pool never hoards device memory. */
const MAX_FREE_BYTES = 128 * 2 ** 20;

export interface PoolStats {
  /** Buffers created since the pool was made. */
  created: number;
  /** acquire() calls served from the free lists. */
  reused: number;
}

export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<string, GPUBuffer[]>();
  readonly #live = new Set<GPUBuffer>();
  #freeBytes = 0;
  readonly stats: PoolStats = { created: 0, reused: 0 };

  readonly #maxBytes: number;

  /** `maxBytes`: the device's largest buffer; buckets never round past it. */
  constructor(device: GPUDevice, maxBytes: number) {
    this.#device = device;
    this.#maxBytes = maxBytes;
  }

  bucketBytes(bytes: number): number {
    const pow2 = Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
    return pow2 <= this.#maxBytes ? pow2 : Math.ceil(bytes / MIN_BYTES) * MIN_BYTES;
  }

  acquire(bytes: number, usage: number): GPUBuffer {
    const size = this.bucketBytes(bytes);
    const list = this.#free.get(`${usage}:${size}`);
    const reused = list?.pop();
    if (reused) {
      this.#freeBytes -= reused.size;
      this.stats.reused++;
      this.#live.add(reused);
      return reused;
    }
    const buffer = this.#device.createBuffer({ size, usage });
    this.stats.created++;
    this.#live.add(buffer);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.#live.delete(buffer)) return;
    const key = `${buffer.usage}:${buffer.size}`;
    const list = this.#free.get(key) ?? [];
    if (list.length >= MAX_FREE_PER_BUCKET || this.#freeBytes + buffer.size > MAX_FREE_BYTES) {
      buffer.destroy();
      return;
    }
    list.push(buffer);
    this.#freeBytes += buffer.size;
    this.#free.set(key, list);
  }

  /** Destroys a buffer that may be in a bad state (a failed or pending map). */
  discard(buffer: GPUBuffer): void {
    this.#live.delete(buffer);
    buffer.destroy();
  }

  destroy(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    for (const b of this.#live) b.destroy();
    this.#free.clear();
    this.#live.clear();
    this.#freeBytes = 0;
  }
}
