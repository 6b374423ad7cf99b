/**
 * The shapes of the shipped models that the demos' link fields and the 3D
 * view's list of heads are written for. They are constants, so no page or
 * element loads a model's manifest (with its whole vocabulary) to learn
 * them; test/model-shape.test.ts checks them against public/models/*.json.
 */
export const DECODER = { layers: 2, heads: 4, maxLength: 64, dModel: 32, snapshots: 12 } as const;
export const TRANSLATOR = { encoderLayers: 2, heads: 4, maxTargetLength: 64 } as const;
