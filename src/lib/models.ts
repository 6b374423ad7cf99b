/**
 * The two trained models as a page's islands load them: from the site's own
 * /models/ folder, once per page however many islands ask (the token
 * explorer, the √d_k demo and the 3D view may share the decoder). A load
 * that fails is forgotten, so the next request tries again.
 */
import type { LoadedModel } from '@attention-guide/models/inference';
import type { ModelManifest } from '@attention-guide/models/weights';

export type ModelName = 'decoder' | 'translator';

const loads = new Map<ModelName, Promise<LoadedModel>>();

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response;
}

async function fetchModel(name: ModelName): Promise<LoadedModel> {
  const [{ loadModel }, manifest] = await Promise.all([
    import('@attention-guide/models/inference'),
    fetchOk(`/models/${name}.json`).then((r) => r.json() as Promise<ModelManifest>),
  ]);
  const bytes = await (await fetchOk(`/models/${manifest.file}`)).arrayBuffer();
  return loadModel(manifest, new Uint8Array(bytes));
}

export function pageModel(name: ModelName): Promise<LoadedModel> {
  let load = loads.get(name);
  if (!load) {
    load = fetchModel(name).catch((error: unknown) => {
      loads.delete(name);
      throw error;
    });
    loads.set(name, load);
  }
  return load;
}
