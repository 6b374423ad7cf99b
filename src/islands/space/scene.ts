/**
 * The three.js drawing of the query-key-value space. The island imports this
 * module on demand, so three.js loads only when the figure nears the
 * viewport and WebGL is there to use.
 *
 * It draws a frame only when something changed (the data, the camera, the
 * size, the colours), never in a loop, and none while the figure is off
 * screen or the tab hidden: a change then waits until it is seen. dispose()
 * frees every geometry, material and the WebGL context.
 *
 * Units: the scene is scaled so that the figure's extent (its largest vector)
 * is 1; the camera orbits the origin, which never moves (panning is off), so
 * every query stays an arrow from the middle of the picture.
 */
import {
  BoxGeometry,
  BufferGeometry,
  Color,
  ConeGeometry,
  CylinderGeometry,
  Float32BufferAttribute,
  Group,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  OctahedronGeometry,
  PerspectiveCamera,
  Plane,
  Quaternion,
  Raycaster,
  Scene,
  SphereGeometry,
  Vector2,
  Vector3,
  WebGLRenderer,
  type Material,
  type Object3D,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { labelledKeys, MAX_KEY_LABELS, START_VIEW, type Picture, type Vec3 } from './geometry';

export interface SceneColours {
  query: string;
  key: string;
  value: string;
  output: string;
  /** Axes, drop lines and weight lines. */
  muted: string;
}

export interface SpaceScene {
  update(state: Picture): void;
  setColours(colours: SceneColours): void;
  /** Turns the camera about the origin (radians). */
  rotate(left: number, up: number): void;
  /** Multiplies the camera's distance by a factor (< 1 nearer). */
  zoom(factor: number): void;
  /** Back to the starting view. */
  resetCamera(): void;
  /** Frees everything; returns what the renderer still held just before (0 and 0 when nothing leaked). */
  dispose(): { geometries: number; textures: number };
}

export interface SceneOptions {
  /** Multisampled edges: smoother, but costly on a software renderer. */
  antialias: boolean;
  /** The reader dragged the query's tip to a new drawn position. */
  onDrag(tip: Vec3): void;
  /** After each frame drawn, with the count so far. */
  onFrame(frames: number): void;
}

const POINT_RADIUS = 0.04;
const TIP_RADIUS = 0.028;
/** Radius of a weight line at weight 1: its thickness is proportional to the weight. */
const WEIGHT_RADIUS = 0.03;
const CAMERA_DISTANCE = 3.6;

/** Throws where WebGL 2 is not available (three.js needs it). */
export function createScene(host: HTMLElement, labelLayer: HTMLElement, colours: SceneColours, options: SceneOptions): SpaceScene {
  const renderer = new WebGLRenderer({ antialias: options.antialias, alpha: true, powerPreference: 'low-power' });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  const canvas = renderer.domElement;
  canvas.setAttribute('aria-hidden', 'true');
  host.prepend(canvas);

  const scene = new Scene();
  const camera = new PerspectiveCamera(40, 1, 0.05, 50);
  const world = new Group();
  scene.add(world);

  // ---------- Geometries and materials, shared, disposed once each ----------
  // Points are a few pixels across: 12 × 8 facets look round at that size and keep 64 of them cheap to draw.
  const sphere = new SphereGeometry(1, 12, 8);
  const cube = new BoxGeometry(1.4, 1.4, 1.4);
  const tube = new CylinderGeometry(1, 1, 1, 8, 1, true);
  const cone = new ConeGeometry(1, 1, 20);
  const diamond = new OctahedronGeometry(1.6);
  const material = {
    key: new MeshBasicMaterial(),
    masked: new MeshBasicMaterial({ transparent: true, opacity: 0.35 }),
    query: new MeshBasicMaterial(),
    value: new MeshBasicMaterial(),
    output: new MeshBasicMaterial(),
    weight: new MeshBasicMaterial({ transparent: true, opacity: 0.75 }),
    axes: new LineBasicMaterial({ transparent: true, opacity: 0.6 }),
    drops: new LineBasicMaterial({ transparent: true, opacity: 0.55 }),
    queryLine: new LineBasicMaterial({ transparent: true, opacity: 0.5 }),
  };

  const axes = new LineSegments(new BufferGeometry(), material.axes);
  const drops = new LineSegments(new BufferGeometry(), material.drops);
  const queryLine = new LineSegments(new BufferGeometry(), material.queryLine);
  const shaft = new Mesh(tube, material.query);
  const head = new Mesh(cone, material.query);
  const handle = new Mesh(sphere, material.query);
  const output = new Mesh(diamond, material.output);
  world.add(axes, drops, queryLine, shaft, head, handle, output);

  let keys: InstancedMesh | null = null;
  let masked: InstancedMesh | null = null;
  let spokes: InstancedMesh | null = null;
  let values: InstancedMesh | null = null;
  const freeInstanced = (mesh: InstancedMesh | null) => {
    if (!mesh) return;
    world.remove(mesh);
    mesh.dispose();
  };
  /** An instanced mesh with room for `count` instances, replacing `old` when that is too small. */
  const instanced = (old: InstancedMesh | null, geometry: BufferGeometry, mat: Material, count: number) => {
    if (old && old.instanceMatrix.count >= count) {
      old.count = count;
      return old;
    }
    freeInstanced(old);
    const mesh = new InstancedMesh(geometry, mat, Math.max(count, 1));
    mesh.count = count;
    mesh.frustumCulled = false;
    world.add(mesh);
    return mesh;
  };

  // ---------- Labels: HTML, placed at each frame ----------
  interface Label {
    el: HTMLElement;
    at: Vector3;
    /** Placed above its point rather than beside it. */
    above: boolean;
    /** Its width in pixels, measured once. */
    width: number;
  }
  let labels: Label[] = [];
  const makeLabel = (kind: string, text: string, weight?: string): Label => {
    const el = document.createElement('span');
    el.className = `space-label ${kind}`;
    el.textContent = text;
    if (weight !== undefined) {
      const b = document.createElement('b');
      b.textContent = weight;
      el.append(' ', b);
    }
    labelLayer.append(el);
    return { el, at: new Vector3(), above: kind === 'query', width: 0 };
  };

  // ---------- State ----------
  let state: Picture | null = null;
  let width = 0;
  let height = 0;
  let frames = 0;
  let queued = 0;
  let dirty = true;
  let onScreen = false;
  let disposed = false;

  camera.position.setFromSphericalCoords(CAMERA_DISTANCE, START_VIEW.polar, START_VIEW.azimuth);
  camera.lookAt(0, 0, 0);

  const controls = new OrbitControls(camera, canvas);
  controls.enablePan = false;
  controls.enableDamping = false;
  controls.minDistance = 1.2;
  controls.maxDistance = 12;
  controls.saveState();

  function render() {
    queued = 0;
    if (disposed) return;
    if (!onScreen || document.hidden) {
      dirty = true;
      return;
    }
    dirty = false;
    renderer.render(scene, camera);
    placeLabels();
    frames += 1;
    options.onFrame(frames);
  }

  function requestRender() {
    dirty = true;
    if (!queued && !disposed && onScreen && !document.hidden) queued = requestAnimationFrame(render);
  }

  const projected = new Vector3();
  function placeLabels() {
    for (const label of labels) {
      projected.copy(label.at).applyMatrix4(world.matrixWorld).project(camera);
      const hidden = projected.z > 1 || projected.z < -1;
      label.el.style.visibility = hidden ? 'hidden' : '';
      if (hidden) continue;
      const x = ((projected.x + 1) / 2) * width;
      const y = ((1 - projected.y) / 2) * height;
      if (label.above) {
        // Centred above its point: the query's own label never sits on a key's, which go beside their points.
        label.el.style.transform = `translate(${x.toFixed(1)}px, ${(y - 8).toFixed(1)}px) translate(-50%, -100%)`;
      } else {
        // Right of its point, or left where it would run off the view.
        const left = x + label.width + 8 > width;
        label.el.style.transform = `translate(${(x + (left ? -7 : 7)).toFixed(1)}px, ${y.toFixed(1)}px)${left ? ' translateX(-100%)' : ''}`;
      }
      // Where the point is on screen, for tests and benchmarks that press on it.
      label.el.dataset['at'] = `${x.toFixed(1)} ${y.toFixed(1)}`;
    }
  }

  // ---------- Building the scene from the state ----------
  const m = new Matrix4();
  const q = new Quaternion();
  const up = new Vector3(0, 1, 0);
  const a = new Vector3();
  const b = new Vector3();
  const dir = new Vector3();
  const size = new Vector3();

  /** A unit cylinder (along y, centred) stretched from a to b with the given radius. */
  function between(from: Vector3, to: Vector3, radius: number): Matrix4 {
    dir.subVectors(to, from);
    const length = dir.length();
    if (length < 1e-9 || radius <= 0) return m.makeScale(0, 0, 0);
    q.setFromUnitVectors(up, dir.clone().divideScalar(length));
    size.set(radius, length, radius);
    return m.compose(a.addVectors(from, to).multiplyScalar(0.5), q, size);
  }

  function setLines(line: LineSegments, positions: number[]) {
    line.geometry.setAttribute('position', new Float32BufferAttribute(positions, 3));
    line.geometry.computeBoundingSphere();
  }

  function update(next: Picture) {
    state = next;
    const s = 1 / next.scale;
    world.scale.setScalar(s);
    const unit = next.scale; // world sizes below are in drawn units, so multiply by the unit
    const n = next.tokens.length;
    const keyAt = (i: number) => new Vector3(next.keys[i * 3]!, next.keys[i * 3 + 1]!, next.keys[i * 3 + 2]!);

    // Axes through the origin, 1.15 units each way.
    const L = 1.15 * unit;
    setLines(axes, [-L, 0, 0, L, 0, 0, 0, -L, 0, 0, L, 0, 0, 0, -L, 0, 0, L]);

    // Keys the query sees, and the masked ones (faint).
    keys = instanced(keys, sphere, material.key, next.visible);
    masked = instanced(masked, sphere, material.masked, n - next.visible);
    for (let i = 0; i < n; i++) {
      m.compose(keyAt(i), q.identity(), size.setScalar(POINT_RADIUS * unit));
      if (i < next.visible) keys.setMatrixAt(i, m);
      else masked.setMatrixAt(i - next.visible, m);
    }
    keys.instanceMatrix.needsUpdate = true;
    masked.instanceMatrix.needsUpdate = true;

    // The query: an arrow from the origin to its tip, with a handle to drag.
    const tip = new Vector3(...next.tip);
    const tipLength = tip.length();
    const headLength = Math.min(0.12 * unit, tipLength * 0.4);
    const unitDir = tipLength > 1e-9 ? tip.clone().divideScalar(tipLength) : new Vector3(1, 0, 0);
    const headBase = unitDir.clone().multiplyScalar(tipLength - headLength);
    shaft.matrixAutoUpdate = false;
    shaft.matrix.copy(between(new Vector3(), headBase, 0.012 * unit));
    head.matrixAutoUpdate = false;
    if (tipLength > 1e-9) {
      q.setFromUnitVectors(up, unitDir);
      head.matrix.compose(b.copy(unitDir).multiplyScalar(tipLength - headLength / 2), q, size.set(0.045 * unit, headLength, 0.045 * unit));
    } else head.matrix.makeScale(0, 0, 0);
    handle.position.copy(tip);
    handle.scale.setScalar(TIP_RADIUS * unit);

    // The query's line through the origin, and each visible key's drop onto it:
    // the foot's distance along the line is the key's score divided by |q| (in the drawing).
    const lineEnds = unitDir.clone().multiplyScalar(1.3 * unit);
    setLines(queryLine, tipLength > 1e-9 ? [-lineEnds.x, -lineEnds.y, -lineEnds.z, lineEnds.x, lineEnds.y, lineEnds.z] : []);
    const dropPositions: number[] = [];
    if (tipLength > 1e-9) {
      for (let i = 0; i < next.visible; i++) {
        const k = keyAt(i);
        const foot = k.clone().projectOnVector(unitDir);
        dropPositions.push(k.x, k.y, k.z, foot.x, foot.y, foot.z);
      }
    }
    setLines(drops, dropPositions);

    // A line from the query's tip to each key it sees, as thick as the key's weight.
    spokes = instanced(spokes, tube, material.weight, next.visible);
    for (let i = 0; i < next.visible; i++) spokes.setMatrixAt(i, between(tip, keyAt(i), WEIGHT_RADIUS * unit * (next.weights[i] ?? 0)));
    spokes.instanceMatrix.needsUpdate = true;

    // Values (cubes) and the output (a diamond), when shown.
    const showValues = next.showValues && next.values !== null;
    values = instanced(values, cube, material.value, showValues ? n : 0);
    if (showValues) {
      for (let i = 0; i < n; i++) {
        m.compose(new Vector3(next.values![i * 3]!, next.values![i * 3 + 1]!, next.values![i * 3 + 2]!), q.identity(), size.setScalar(POINT_RADIUS * unit));
        values.setMatrixAt(i, m);
      }
      values.instanceMatrix.needsUpdate = true;
    }
    output.visible = showValues && next.output !== null;
    if (next.output) {
      output.position.set(...next.output);
      output.scale.setScalar(POINT_RADIUS * unit);
    }

    // Labels: the query, the axes, the keys with the largest weights, the values and output when shown.
    for (const label of labels) label.el.remove();
    labels = [];
    const add = (kind: string, text: string, at: Vector3, weight?: string) => {
      const label = makeLabel(kind, text, weight);
      label.at.copy(at);
      labels.push(label);
    };
    next.axes.forEach((name, i) => add('axis', name, new Vector3(i === 0 ? L : 0, i === 1 ? L : 0, i === 2 ? L : 0)));
    for (const i of labelledKeys(next.weights)) add('key', next.tokens[i]!, keyAt(i), next.weights[i]!.toFixed(2));
    if (showValues) {
      for (let i = 0; i < n; i++) if (n <= MAX_KEY_LABELS) add('value', `v ${next.tokens[i]}`, new Vector3(next.values![i * 3]!, next.values![i * 3 + 1]!, next.values![i * 3 + 2]!));
      if (next.output) add('output', 'output', new Vector3(...next.output));
    }
    add('query', `q ${next.queryToken}`, tip);
    for (const label of labels) label.width = label.el.offsetWidth;
    requestRender();
  }

  function setColours(c: SceneColours) {
    material.key.color = new Color(c.key);
    material.masked.color = new Color(c.muted);
    material.query.color = new Color(c.query);
    material.value.color = new Color(c.value);
    material.output.color = new Color(c.output);
    material.weight.color = new Color(c.muted);
    material.axes.color = new Color(c.muted);
    material.drops.color = new Color(c.key);
    material.queryLine.color = new Color(c.query);
    requestRender();
  }
  setColours(colours);

  // ---------- Size, visibility ----------
  function resize() {
    width = host.clientWidth;
    height = host.clientHeight;
    if (width === 0 || height === 0) return;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    requestRender();
  }
  const resizer = new ResizeObserver(resize);
  resizer.observe(host);
  resize();

  const watcher = new IntersectionObserver((entries) => {
    onScreen = entries.some((entry) => entry.isIntersecting);
    if (onScreen && dirty) requestRender();
  });
  watcher.observe(host);
  const onVisibility = () => {
    if (!document.hidden && dirty) requestRender();
  };
  document.addEventListener('visibilitychange', onVisibility);

  controls.addEventListener('change', requestRender);
  // The wheel zooms only once the reader has chosen the view (focused it, by a click or Tab), so
  // scrolling the page past the figure still scrolls. A capturing listener runs before the
  // controls' own at the canvas and keeps the wheel from them; pinching on a touch screen still zooms.
  const onWheel = (event: WheelEvent) => {
    if (!host.contains(document.activeElement)) event.stopImmediatePropagation();
  };
  canvas.addEventListener('wheel', onWheel, { capture: true });

  // ---------- Dragging the query's tip ----------
  const raycaster = new Raycaster();
  const pointer = new Vector2();
  const plane = new Plane();
  const hit = new Vector3();
  let dragging: number | null = null;

  function ray(event: PointerEvent) {
    const rect = canvas.getBoundingClientRect();
    pointer.set(((event.clientX - rect.left) / rect.width) * 2 - 1, -((event.clientY - rect.top) / rect.height) * 2 + 1);
    raycaster.setFromCamera(pointer, camera);
  }
  /** Whether a press is on the query's tip: within a finger's width of it on screen, however small it is drawn. */
  function onTip(event: PointerEvent): boolean {
    const rect = canvas.getBoundingClientRect();
    projected.copy(handle.position).applyMatrix4(world.matrixWorld).project(camera);
    const x = rect.left + ((projected.x + 1) / 2) * rect.width;
    const y = rect.top + ((1 - projected.y) / 2) * rect.height;
    const reach = event.pointerType === 'mouse' ? 14 : 24;
    return Math.hypot(event.clientX - x, event.clientY - y) <= reach;
  }
  const onPointerDown = (event: PointerEvent) => {
    if (!state || !onTip(event)) return;
    // Ours, not the orbit's: the controls never see this press.
    event.stopImmediatePropagation();
    event.preventDefault();
    dragging = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    controls.enabled = false;
    const tip = handle.getWorldPosition(new Vector3());
    plane.setFromNormalAndCoplanarPoint(camera.getWorldDirection(new Vector3()), tip);
  };
  const onPointerMove = (event: PointerEvent) => {
    if (dragging === null) {
      canvas.style.cursor = state && event.pointerType === 'mouse' && onTip(event) ? 'grab' : '';
      return;
    }
    if (event.pointerId !== dragging || !state) return;
    ray(event);
    if (!raycaster.ray.intersectPlane(plane, hit)) return;
    // From world units back to drawn units.
    world.worldToLocal(hit);
    options.onDrag([hit.x, hit.y, hit.z]);
  };
  const onPointerUp = (event: PointerEvent) => {
    if (event.pointerId !== dragging) return;
    dragging = null;
    controls.enabled = true;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
  };
  // Registered before the controls' own listener fires, so a press on the tip is not also an orbit.
  canvas.addEventListener('pointerdown', onPointerDown, { capture: true });
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerup', onPointerUp);
  canvas.addEventListener('pointercancel', onPointerUp);

  return {
    update,
    setColours,
    rotate(left, upAngle) {
      controls.rotateLeft(left);
      controls.rotateUp(upAngle);
    },
    zoom(factor) {
      if (factor < 1) controls.dollyIn(1 / factor);
      else controls.dollyOut(factor);
    },
    resetCamera() {
      controls.reset();
    },
    dispose() {
      disposed = true;
      cancelAnimationFrame(queued);
      resizer.disconnect();
      watcher.disconnect();
      document.removeEventListener('visibilitychange', onVisibility);
      canvas.removeEventListener('wheel', onWheel, { capture: true });
      canvas.removeEventListener('pointerdown', onPointerDown, { capture: true });
      canvas.removeEventListener('pointermove', onPointerMove);
      canvas.removeEventListener('pointerup', onPointerUp);
      canvas.removeEventListener('pointercancel', onPointerUp);
      controls.dispose();
      for (const label of labels) label.el.remove();
      labels = [];
      const geometries = new Set<BufferGeometry>();
      const materials = new Set<Material>();
      scene.traverse((object: Object3D) => {
        if (object instanceof InstancedMesh) object.dispose();
        if (object instanceof Mesh || object instanceof LineSegments) {
          geometries.add(object.geometry);
          for (const mat of Array.isArray(object.material) ? object.material : [object.material]) materials.add(mat);
        }
      });
      for (const geometry of geometries) geometry.dispose();
      for (const mat of [...materials, ...Object.values(material)]) mat.dispose();
      const left = { geometries: renderer.info.memory.geometries, textures: renderer.info.memory.textures };
      renderer.renderLists.dispose();
      renderer.dispose();
      renderer.forceContextLoss();
      canvas.remove();
      return left;
    },
  };
}
