/**
 * Self- and cross-attention's first state: the trained translation model
 * translates the running sentence on the CPU engine, through the code the
 * browser runs, and the three matrices the figure opens on are kept. For its
 * figure (SelfCross.astro) and its custom element (/embed/self-cross/props.json).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@attention-guide/attention';
import { readShipped } from '@attention-guide/models/shipped';
import type { Seq2SeqConfig } from '@attention-guide/models/model';
import heads from '../../../public/models/heads.json';
import { defaultPicked, translatorNotes, type MeasuredHead } from './heads';
import { pack } from './packed';
import { translateEncoded } from './translation';
import { encodeText } from '../tokens/reading';
import { RUNNING_SENTENCE } from '../../lib/models';

export async function props() {
  // The build runs from the repository root (as src/pages/models.astro does).
  const modelsDir = join(process.cwd(), 'public', 'models');
  const model = readShipped('translator', undefined, modelsDir);
  const config = model.manifest.config as Seq2SeqConfig;
  const vocabulary = [...model.vocabulary['source']!.words];
  // encodeText counts a start token; the encoder reads none, so it may read one word more.
  const context = config.maxSourceLength + 1;

  const encoded = encodeText(RUNNING_SENTENCE, vocabulary, context);
  if (!encoded.ok) throw new Error(encoded.message);
  const engine = await createEngine({ prefer: 'cpu' });
  const pairing = await translateEncoded(engine, model, encoded.value);
  engine.dispose();

  const measured = heads.translator.heads as MeasuredHead[];
  const notes = translatorNotes(measured, config.encoderLayers, config.heads);
  const picked = defaultPicked(measured);

  // Open on the French word for "cat": the decoder position that writes it (its query) and its English counterpart.
  const initialFrench = Math.max(0, pairing.french.indexOf('chat'));
  const initialEnglish = Math.max(0, pairing.english.indexOf('cat'));

  const downloadBytes = ['translator.json', model.manifest.file].reduce((sum, file) => sum + statSync(join(modelsDir, file)).size, 0);
  return {
    initial: pack(pairing, picked),
    initialText: RUNNING_SENTENCE,
    initialFrench,
    initialEnglish,
    notes,
    vocabulary,
    context,
    downloadBytes,
  };
}
