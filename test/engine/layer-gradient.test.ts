import { fromLayerGradient, toLayerGradient } from '../../src/engine/layer-gradient';

describe('layer gradient layout', () => {
  it('maps Conv1D [in,out] + bias to G = [∂W | ∂b] of shape [out, in+1] and back', () => {
    // in = 2, out = 3: weight[c][r] = 10c + r, bias[r] = 100 + r
    const weight = [0, 1, 2, 10, 11, 12];
    const bias = [100, 101, 102];
    const G = toLayerGradient(weight, bias, 2, 3);
    expect(Array.from(G)).toEqual([0, 10, 100, 1, 11, 101, 2, 12, 102]);
    const back = fromLayerGradient(G, 2, 3);
    expect(Array.from(back.weight)).toEqual(weight);
    expect(Array.from(back.bias)).toEqual(bias);
    expect(() => toLayerGradient(weight, [1], 2, 3)).toThrow(/expected/);
  });
});
