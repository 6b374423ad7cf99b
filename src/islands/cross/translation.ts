/**
 * The translation model on one English sentence, for the "self vs cross"
 * figure: the same code at build time (in Node, on the CPU) and in the
 * reader's browser (WebGPU or the CPU). The model runs through the
 * attention engine (translate() in the models package); this only keeps
 * its words and every head's weights.
 */
import type { Engine } from '@attention-guide/attention';
import type { LoadedModel } from '@attention-guide/models/inference';
import { translate } from '@attention-guide/models/translation';
import type { Encoded } from '@attention-guide/models/tokenize';
import type { Pairing } from './packed';

/** Translates encoded English greedily and keeps every head's weights. */
export async function translateEncoded(engine: Engine, model: LoadedModel, encoded: Encoded): Promise<Pairing> {
  const result = await translate(engine, model, encoded.ids);
  const layer = (name: string) => {
    const found = result.decoder.find((l) => l.name === name);
    if (!found) throw new Error(`The translation model has no layer ${name}.`);
    return found.heads;
  };
  return {
    english: encoded.words,
    unknown: encoded.unknown,
    ...(encoded.cut ? { cut: encoded.cut.message } : {}),
    french: result.words,
    finished: result.finished,
    encoder: result.encoder.map((l) => l.heads),
    // The figure shows the decoder's only layer (the shipped model has one).
    self: layer('dec0.self'),
    cross: layer('dec0.cross'),
  };
}

