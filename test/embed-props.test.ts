import { describe, expect, it } from 'vitest';
import { decodeProps, encodeProps } from '../src/embed/props-codec';

describe('island props as JSON', () => {
  it('keeps plain values, byte arrays and infinities', () => {
    const props = {
      text: 'the cat',
      list: [1, 2.5, -3],
      nested: { on: true, none: null, far: Infinity, low: -Infinity },
      bytes: new Uint8Array([0, 1, 255, 128]),
      floats: new Float32Array([0.1, -2, 3e-8]),
    };
    const back = decodeProps(encodeProps(props));
    expect(back).toEqual(props);
    expect(back['bytes']).toBeInstanceOf(Uint8Array);
    expect(back['floats']).toBeInstanceOf(Float32Array);
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => encodeProps({ map: new Map() })).toThrow(/not JSON/);
  });
});
