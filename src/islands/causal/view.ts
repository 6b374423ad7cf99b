/**
 * What the generation figure shows after a step, and how the build hands
 * its first state to the browser. Kept apart from generation.ts, which
 * runs the model, so the island hydrates without loading it.
 */
import { pack, unpack, type PackedReading, type Reading } from '../tokens/packed';

/**
 * What the figure shows after a step: a Reading (the words read after <bos>,
 * and every head's weight rows), which packs for the page as the token
 * explorer's does, and what comes next.
 */
export interface GenerationView extends Reading {
  /** Words that came from the prompt; the rest were generated. */
  promptWords: number;
  /** The most likely next token, once the last one is read (it is read at the next step). */
  next: string;
  /** Why generation stopped: the model wrote <eos>, or the cache holds the model's whole context. */
  end: 'eos' | 'length' | null;
}

export interface PackedGeneration extends PackedReading {
  promptWords: number;
  next: string;
  end: GenerationView['end'];
}

export function packGeneration(view: GenerationView): PackedGeneration {
  return { ...pack(view), promptWords: view.promptWords, next: view.next, end: view.end };
}

export function unpackGeneration(packed: PackedGeneration): GenerationView {
  return { ...unpack(packed), promptWords: packed.promptWords, next: packed.next, end: packed.end };
}

