// A worker thread starts without the parent's TypeScript loader: register tsx, then hand Piscina the worker's task.
import { register } from 'tsx/esm/api';

register();
const { selectCoreset } = await import('./worker.ts');
export default selectCoreset;
