// Runs inside a chapter's page, put there by drive.py: what `npm run
// bench:islands` does to the generation step and the head gallery from
// Playwright, done from the page itself, with the same probe
// (island-probe.mjs), the same interactions and the same warm-up; the figures
// go back to drive.py by POST. Without an island to time it only reports the
// WebGPU adapter Chromium offers, which is how drive.py picks its flags, or
// times WebGPU round trips: bare (the floor under every WebGPU figure), with
// a number of dispatches, and after the weights' worth of writes.
import { installProbe, SENTENCES, submitSentence } from './island-probe.mjs';

/** @type {{ label: string; island?: 'step' | 'gallery'; roundTrips?: number; interactions?: number }} */
const config = await (await fetch('/__bench/config')).json();
const sleep = (/** @type {number} */ ms) => new Promise((done) => setTimeout(done, ms));
const frames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
async function waitFor(/** @type {() => unknown} */ ready, /** @type {number} */ ms) {
  for (const end = performance.now() + ms; performance.now() < end; await sleep(25)) if (ready()) return true;
  return false;
}

/** What Playwright's press('Enter') does to a button: focus, keydown, the click it activates, keyup. */
function pressEnter(/** @type {HTMLButtonElement} */ button) {
  button.focus();
  const key = { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true };
  if (button.dispatchEvent(new KeyboardEvent('keydown', key))) button.click();
  button.dispatchEvent(new KeyboardEvent('keyup', key));
}

/** As bench:islands' ISLANDS: an interaction returning false only sets the figure up (a reset) and is not timed. */
const ISLANDS = {
  step: {
    root: '[data-kv-generation]',
    interact: (/** @type {HTMLElement} */ root) => {
      const end = Boolean(root.getAttribute('data-end'));
      pressEnter(/** @type {HTMLButtonElement} */ (root.querySelector(end ? 'button[data-reset]' : 'button[data-step]')));
      return !end;
    },
  },
  gallery: {
    root: '[data-head-gallery]',
    interact: (/** @type {HTMLElement} */ root, /** @type {number} */ i) => {
      submitSentence(/** @type {Element} */ (root.querySelector('form input[type="text"]')), /** @type {string} */ (SENTENCES[i % 2]));
      return true;
    },
  },
};

async function measure(/** @type {keyof typeof ISLANDS} */ name, /** @type {number} */ interactions) {
  const island = ISLANDS[name];
  const root = /** @type {HTMLElement} */ (document.querySelector(island.root));
  // Its section first: until it is laid out (content-visibility), the island's box is not where it will be.
  let hydrated = false;
  for (let tries = 0; tries < 10 && !hydrated; tries++) {
    root.closest('.chapter-section')?.scrollIntoView();
    await frames();
    root.scrollIntoView({ block: 'center' });
    hydrated = await waitFor(() => root.hasAttribute('data-hydrated'), 3_000);
  }
  if (!hydrated) throw new Error(`${island.root} never hydrated`);
  // Two interactions to start the engine (and load a model), then its answer.
  island.interact(root, 0);
  island.interact(root, 1);
  if (!(await waitFor(() => root.querySelector('[data-compute-target="webgpu"], [data-compute-target="cpu"]'), 60_000))) throw new Error('no backend answered in 60 s');
  await sleep(500);
  installProbe(island.root);
  const probe = /** @type {any} */ (window).__probe;
  for (let i = 0; i < interactions; i++) {
    const timed = island.interact(root, i);
    await probe.until(i + 1);
    if (!timed) probe.untimed();
    await sleep(20); // a gap between interactions, as Playwright's round trips leave one
  }
  const kept = (/** @type {number[]} */ xs) => xs.filter((_, k) => !probe.skip.includes(k));
  return { backend: root.querySelector('[data-compute-target]')?.getAttribute('data-compute-target') ?? '?', dom: kept(probe.dom), frame: kept(probe.frame) };
}

/**
 * The floor under any WebGPU figure in this browser, and what each dispatch adds to it: `count` round
 * trips, each one submission read back with mapAsync, as the engine runs a batch. With 0 dispatches a
 * round trip writes 256 bytes, copies them to a mappable buffer and reads them back; with n, it also
 * runs n dispatches of a one-workgroup kernel first, each with its own uniform write and bind group, as
 * the engine encodes every op. 'uploads' is a bare round trip after 30 writes of 6,528 bytes to 30
 * buffers (196 kB, the size of the decoder's weights file: the engine writes a model's weights with
 * every run, as batch inputs). ms per round trip, keyed by the number of dispatches.
 */
async function roundTrips(/** @type {number} */ count) {
  const gpu = /** @type {any} */ (navigator).gpu;
  const device = await (await gpu.requestAdapter()).requestDevice();
  const { COPY_SRC, COPY_DST, MAP_READ, STORAGE, UNIFORM } = /** @type {any} */ (globalThis).GPUBufferUsage;
  const module = device.createShaderModule({
    code: `@group(0) @binding(0) var<uniform> p: vec4u;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < p.x) { x[g.x] = x[g.x] + 1.0; } }`,
  });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const x = device.createBuffer({ size: 256, usage: STORAGE | COPY_SRC | COPY_DST });
  /** @type {Record<string, number[]>} */
  const times = {};
  const weights = Array.from({ length: 30 }, () => device.createBuffer({ size: 6528, usage: STORAGE | COPY_DST }));
  const weightData = new Float32Array(6528 / 4).fill(0.5);
  for (const dispatches of [0, 1, 16, 64, 'uploads']) {
    const uniforms = Array.from({ length: typeof dispatches === 'number' ? dispatches : 0 }, () => device.createBuffer({ size: 16, usage: UNIFORM | COPY_DST }));
    const list = (times[dispatches] = []);
    for (let i = 0; i < count + 10; i++) {
      const start = performance.now();
      const read = device.createBuffer({ size: 256, usage: MAP_READ | COPY_DST });
      device.queue.writeBuffer(x, 0, new Float32Array(64).fill(i));
      if (dispatches === 'uploads') for (const w of weights) device.queue.writeBuffer(w, 0, weightData);
      const encoder = device.createCommandEncoder();
      if (uniforms.length) {
        const pass = encoder.beginComputePass();
        for (const uniform of uniforms) {
          device.queue.writeBuffer(uniform, 0, new Uint32Array([64, 0, 0, 0]));
          const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: uniform } }, { binding: 1, resource: { buffer: x } }] });
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, group);
          pass.dispatchWorkgroups(1);
        }
        pass.end();
      }
      encoder.copyBufferToBuffer(x, 0, read, 0, 256);
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(/** @type {any} */ (globalThis).GPUMapMode.READ);
      const back = new Float32Array(read.getMappedRange())[63];
      read.unmap();
      read.destroy();
      if (back !== i + uniforms.length) throw new Error(`a round trip with ${uniforms.length} dispatches read back ${back}, not ${i + uniforms.length}`);
      if (i >= 10) list.push(performance.now() - start); // the first ten warm up
      await sleep(5);
    }
    for (const uniform of uniforms) uniform.destroy();
  }
  for (const w of weights) w.destroy();
  device.destroy();
  return { roundTrips: times };
}

async function adapter() {
  if (!('gpu' in navigator)) return { gpu: false };
  try {
    const found = await /** @type {any} */ (navigator).gpu.requestAdapter();
    if (!found) return { gpu: true, adapter: null };
    const { vendor, architecture, device, description, isFallbackAdapter } = found.info;
    return { gpu: true, adapter: { vendor, architecture, device, description, fallback: isFallbackAdapter ?? found.isFallbackAdapter ?? null } };
  } catch (error) {
    return { gpu: true, error: String(error) };
  }
}

/** @type {Record<string, unknown>} */
const result = { label: config.label, userAgent: navigator.userAgent };
try {
  if (config.island) Object.assign(result, await measure(config.island, config.interactions ?? 100));
  if (config.roundTrips) Object.assign(result, await roundTrips(config.roundTrips));
} catch (error) {
  result['error'] = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
}
// Asked after the run, so the engine's own adapter request comes first, as in a reader's page.
result['webgpu'] = await adapter();
await fetch('/__bench/result', { method: 'POST', body: JSON.stringify(result) });
