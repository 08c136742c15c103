/** `npm run schema:product`: writes calibration/product.schema.json from the zod schema of product.json. */
import { writeFileSync } from 'node:fs';
import { PRODUCT_SCHEMA_FILE, productSchemaText } from './lib/productSchema.ts';

writeFileSync(PRODUCT_SCHEMA_FILE, productSchemaText());
console.log(`wrote ${PRODUCT_SCHEMA_FILE}`);
