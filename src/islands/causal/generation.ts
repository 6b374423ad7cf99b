/**
 * Greedy generation with a KV cache, for the generation figure: the same
 * code at build time (Node, CPU engine) and in the reader's browser (WebGPU
 * or the CPU). Every number comes from the models package running through
 * the engine (stepDecoder, runDecoder); this file keeps the rows, picks the
 * most likely token and packs the first state for the page.
 */
import type { Engine } from '@attention-guide/attention';
import { BOS, EOS, UNK } from '@attention-guide/models/vocabulary';
import { createDecoderCache, stepDecoder, type DecoderCache } from '@attention-guide/models/decoding';
import { argmaxRow, runDecoder, type LoadedModel } from '@attention-guide/models/inference';
import type { DecoderConfig } from '@attention-guide/models/model';
import type { Encoded } from '@attention-guide/models/tokenize';
import type { GenerationView } from './view';

/** A generation in progress: the cache and what each step gave. */
export class Generation {
  readonly cache: DecoderCache;
  readonly #ids: number[] = [];
  readonly #words: string[] = [];
  readonly #unknown: number[] = [];
  readonly #weights: Float32Array[][][];
  #next = BOS;
  #promptWords = 0;
  #cut: string | undefined;
  /** The logits of the last token read, for the check against a full recomputation. */
  #logits: Float32Array | undefined;

  constructor(readonly model: LoadedModel) {
    this.cache = createDecoderCache(model);
    const config = model.params.config as DecoderConfig;
    this.#weights = Array.from({ length: config.layers }, () => Array.from({ length: config.heads }, () => []));
  }

  get config(): DecoderConfig {
    return this.model.params.config as DecoderConfig;
  }

  /** The ids read so far, <bos> first: one key and value each in every layer and head of the cache. */
  get ids(): readonly number[] {
    return this.#ids;
  }

  get end(): GenerationView['end'] {
    if (this.#ids.length > 0 && this.#next === EOS) return 'eos';
    return this.cache.length >= this.config.maxLength ? 'length' : null;
  }

  /** Reads <bos> and the prompt, one token at a time, into the cache. */
  static async start(engine: Engine, model: LoadedModel, prompt: Encoded): Promise<Generation> {
    const generation = new Generation(model);
    generation.#cut = prompt.cut?.message;
    await generation.#read(engine, BOS);
    for (const [i, id] of prompt.ids.entries()) await generation.#read(engine, id, prompt.words[i]!);
    generation.#promptWords = prompt.ids.length;
    return generation;
  }

  /** Reads the token the last step predicted. Does nothing once generation has ended. */
  async step(engine: Engine): Promise<boolean> {
    if (this.end) return false;
    await this.#read(engine, this.#next, this.#word(this.#next));
    return true;
  }

  /** Reads one token; `word` is how to show it (the reader's word for an unknown one); <bos> has none. */
  async #read(engine: Engine, id: number, word?: string): Promise<void> {
    const step = await stepDecoder(engine, this.model, this.cache, id);
    this.#ids.push(id);
    if (word !== undefined) {
      if (id === UNK) this.#unknown.push(this.#words.length);
      this.#words.push(word);
    }
    step.weights.forEach((layer, l) => layer.forEach((row, h) => this.#weights[l]![h]!.push(row)));
    this.#logits = step.logits;
    this.#next = argmaxRow(step.logits, 0, this.config.vocab);
  }

  #word(id: number): string {
    return this.model.vocabulary['tokens']!.word(id);
  }

  /** A snapshot for the figure (arrays copied, so a later step does not change it). */
  view(): GenerationView {
    return {
      words: [...this.#words],
      unknown: [...this.#unknown],
      promptWords: this.#promptWords,
      weights: this.#weights.map((layer) => layer.map((rows) => [...rows])),
      next: this.#word(this.#next),
      end: this.end,
      ...(this.#cut === undefined ? {} : { cut: this.#cut }),
    };
  }

  /**
   * The check the figure prints: runDecoder on the whole prefix (no cache),
   * and the largest difference between its last row of logits and weights
   * and what the cached step gave.
   */
  async difference(engine: Engine): Promise<{ position: number; largest: number }> {
    // Taken before the model runs: a step may be read meanwhile.
    const ids = [...this.#ids];
    const logits = this.#logits;
    const t = ids.length - 1;
    const vocab = this.config.vocab;
    const full = await runDecoder(engine, this.model, ids);
    let largest = 0;
    const compare = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!));
    };
    if (logits) compare(logits, full.logits.subarray(t * vocab, (t + 1) * vocab));
    full.attention.forEach((layer, l) => layer.heads.forEach((matrix, h) => compare(this.#weights[l]![h]![t]!, matrix.subarray(t * (t + 1), (t + 1) * (t + 1)))));
    return { position: t, largest };
  }
}
