/** The model manifest: everything the station must know to feed a backbone and read its taps. */

export interface FeatureTap {
  /** Output name in the ONNX graph. */
  name: string;
  /** Input pixels per feature-map cell (8 → a 224 input gives a 28×28 map). */
  stride: number;
  channels: number;
  /** Feature-map [H, W] at `input.size` (optional; valid-padded nets such as InceptionV3 lose a border,
   *  so H can be less than size / stride). */
  mapSize?: [number, number];
}

export interface ModelManifest {
  /** Short id, also the file stem: `<id>.onnx` next to the manifest. */
  id: string;
  file: string;
  sha256: string;
  source: { package?: string; version?: string; url?: string; note?: string };
  licence: string;
  input: {
    name: string;
    /** Always NCHW for models the station runs. */
    layout: 'NCHW';
    /** Default square side; models with dynamic H/W accept other multiples of the largest stride. */
    size: number;
    dynamicSize: boolean;
    colour: 'RGB' | 'BGR';
    dtype: 'float32' | 'float16';
    /** pixel' = (pixel * scale - mean[c]) / std[c], pixel in 0..255. */
    scale: number;
    mean: [number, number, number];
    std: [number, number, number];
  };
  taps: FeatureTap[];
  /** ISO time the file was produced. */
  created: string;
  /** What produced the file (converter and its version, or `model:add`), so stale outputs are rebuilt. */
  producedBy?: string;
  /** Free-form remarks shown to users (e.g. how strides relate to map sizes). */
  notes?: string;
}
