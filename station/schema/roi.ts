/**
 * A product's region of interest: where its items sit in the camera frame, in shares of the frame. One schema for
 * the two boundaries that read it: product.json (products/productConfig.ts) and the engine settings a reference-set
 * file carries (vision/referenceSet.ts), which are the product's as calibration chose them.
 */
import { z } from 'zod';
import { closedObject, want } from './format.ts';

const share = (min: number) =>
  z
    .number({ error: want(`a number in [${min}, 1] (share of the frame)`) })
    .min(min)
    .max(1);

export const roiSchema = closedObject(
  { x: share(0), y: share(0), width: share(0.05), height: share(0.05) },
  'must be an object like {"x": 0.2, "y": 0.1, "width": 0.6, "height": 0.8} (shares of the frame)',
).refine((r) => r.x + r.width <= 1 + 1e-9 && r.y + r.height <= 1 + 1e-9, {
  error: 'x + width and y + height must not exceed 1',
});
