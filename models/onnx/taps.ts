/**
 * Turn any ONNX image classifier into a feature extractor: the named intermediate tensors become the
 * graph outputs (always float32: quantized taps get a DequantizeLinear, fp16 taps a Cast), an fp16 input
 * gets a float32 front Cast, and every node not needed for the taps is pruned.
 */
import { attrInt, DataType, onnx, toNumber, type Graph, type Node } from './proto.ts';
import { valueInfo } from './graph.ts';
import { inferElemTypes, TYPE_NAMES } from './types.ts';

export interface ExposeResult {
  model: import('onnx-proto').onnx.ModelProto;
  inputName: string;
  /** Original input element type (the new model always takes float32). */
  originalInputType: string;
  /** What was inserted, for the manifest notes and the user. */
  notes: string[];
}

/** Tensor names produced by nodes, with their op, in graph order (for listing candidate taps). */
export function listTensors(graph: Graph): { name: string; op: string }[] {
  return (graph.node ?? []).flatMap((n) => (n.output ?? []).filter(Boolean).map((name) => ({ name, op: n.opType! })));
}

export function imageInput(graph: Graph, file: string) {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  const real = (graph.input ?? []).filter((i) => !inits.has(i.name));
  if (real.length !== 1)
    throw new Error(`${file}: expected one image input, found ${real.length} (${real.map((r) => r.name).join(', ')})`);
  return real[0];
}

/** Scale and zero point describing a quantized tensor, from the nodes that produce or read it. */
function quantParams(
  producer: Node | undefined,
  readers: { node: Node; index: number }[],
): [string, string] | undefined {
  const dq = readers.find((r) => r.node.opType === 'DequantizeLinear' && r.index === 0);
  if (dq) return [dq.node.input![1], dq.node.input![2] ?? ''];
  if (producer?.opType === 'QuantizeLinear') return [producer.input![1], producer.input![2] ?? ''];
  // QLinear ops list (x, x_scale, x_zero_point) triples for inputs; outputs' scale/zp sit at fixed slots.
  const outSlots: Record<string, number> = {
    QLinearConv: 6,
    QLinearMatMul: 6,
    QLinearAdd: 6,
    QLinearMul: 6,
    QLinearGlobalAveragePool: 3,
    QLinearAveragePool: 3,
    QLinearLeakyRelu: 3,
    QLinearSigmoid: 3,
    QLinearConcat: 0,
  };
  const slot = producer ? outSlots[producer.opType!] : undefined;
  if (slot !== undefined) return [producer!.input![slot], producer!.input![slot + 1]];
  const q = readers.find((r) => r.node.opType!.startsWith('QLinear') && r.node.input!.length > r.index + 2);
  if (q) return [q.node.input![q.index + 1], q.node.input![q.index + 2]];
  return undefined;
}

function renameInputs(graph: Graph, from: string, to: string) {
  for (const n of graph.node ?? []) n.input = (n.input ?? []).map((i) => (i === from ? to : i));
}

type Readers = Map<string, { node: Node; index: number }[]>;

/** What tap rewriting needs to know about the graph: element types, and who produces and reads each tensor. */
interface GraphIndex {
  graph: Graph;
  file: string;
  types: ReturnType<typeof inferElemTypes>;
  producers: Map<string, Node>;
  readers: Readers;
  opset: number;
}

function indexGraph(model: ExposeResult['model'], file: string): GraphIndex {
  const graph = model.graph!;
  const producers = new Map<string, Node>();
  const readers: Readers = new Map();
  for (const n of graph.node ?? []) {
    for (const o of n.output ?? []) producers.set(o, n);
    (n.input ?? []).forEach((i, index) => {
      readers.set(i, [...(readers.get(i) ?? []), { node: n, index }]);
    });
  }
  const opset = toNumber(model.opsetImport.find((o) => !o.domain)?.version ?? 1);
  return { graph, file, types: inferElemTypes(graph), producers, readers, opset };
}

/** A tap name no node produces: the error lists similar names to help pick the right one. */
function unknownTap(graph: Graph, tap: string, file: string): Error {
  const near = listTensors(graph)
    .filter((t) => t.name.toLowerCase().includes(tap.toLowerCase()))
    .slice(0, 8);
  const hint = near.length ? ` Similar names: ${near.map((t) => `${t.name} (${t.op})`).join(', ')}.` : '';
  return new Error(`${file}: no node produces a tensor named "${tap}".${hint} List all with --list.`);
}

/**
 * A float32 tap stays as it is (null). Any other tap's producer now writes `<tap>__raw`, and the node returned
 * (DequantizeLinear for a quantized tap, Cast for fp16/double) writes the float32 tensor under the tap's name.
 */
function floatTap(ix: GraphIndex, tap: string): { node: Node; note: string } | null {
  const { graph, file } = ix;
  const producer = ix.producers.get(tap);
  if (!producer) throw unknownTap(graph, tap, file);
  const t = ix.types.get(tap);
  if (t === DataType.FLOAT) return null;
  const raw = `${tap}__raw`;
  const rewire = () => {
    producer.output = producer.output!.map((o) => (o === tap ? raw : o));
    renameInputs(graph, tap, raw);
  };
  if (t === DataType.UINT8 || t === DataType.INT8) {
    const qp = quantParams(producer, ix.readers.get(tap) ?? []);
    if (!qp)
      throw new Error(
        `${file}: tap ${tap} is ${TYPE_NAMES[t]} but no scale/zero point was found next to it; pick the float tensor after its DequantizeLinear`,
      );
    if (ix.opset < 10)
      throw new Error(`${file}: tap ${tap} is quantized but the model's opset ${ix.opset} has no DequantizeLinear`);
    rewire();
    return {
      node: {
        opType: 'DequantizeLinear',
        input: qp[1] ? [raw, qp[0], qp[1]] : [raw, qp[0]],
        output: [tap],
        name: `${tap}/dequantize`,
        attribute: [],
      },
      note: `${tap}: ${TYPE_NAMES[t]} → float32 with DequantizeLinear(${qp.join(', ')})`,
    };
  }
  if (t === DataType.FLOAT16 || t === DataType.DOUBLE) {
    rewire();
    return {
      node: {
        opType: 'Cast',
        input: [raw],
        output: [tap],
        name: `${tap}/to_float`,
        attribute: [attrInt('to', DataType.FLOAT)],
      },
      note: `${tap}: ${TYPE_NAMES[t]} → float32 with Cast`,
    };
  }
  throw new Error(
    `${file}: tap ${tap} has element type ${TYPE_NAMES[t ?? 0] ?? t ?? 'unknown'}; choose a float feature map`,
  );
}

/**
 * The model always takes float32: an fp16 image input is declared float32 and the Cast returned (to go first)
 * turns it back to fp16 for the nodes that read it. Null for a float32 input; other types are refused.
 */
function floatInput(
  ix: GraphIndex,
  input: ReturnType<typeof imageInput>,
  inType: number,
): { node: Node; note: string } | null {
  if (inType === DataType.FLOAT) return null;
  if (inType !== DataType.FLOAT16) {
    throw new Error(
      `${ix.file}: input ${input.name} has element type ${TYPE_NAMES[inType] ?? inType}; only float32/float16 image inputs are supported`,
    );
  }
  const half = `${input.name}__fp16`;
  renameInputs(ix.graph, input.name!, half);
  input.type!.tensorType!.elemType = DataType.FLOAT;
  return {
    node: {
      opType: 'Cast',
      input: [input.name!],
      output: [half],
      name: `${input.name}/to_fp16`,
      attribute: [attrInt('to', DataType.FLOAT16)],
    },
    note: `input ${input.name}: takes float32, Cast to float16 inside`,
  };
}

export function exposeTaps(bytes: Uint8Array, taps: string[], file: string): ExposeResult {
  const model = onnx.ModelProto.decode(bytes);
  const ix = indexGraph(model, file);
  const { graph } = ix;
  const notes: string[] = [];
  const added: Node[] = [];
  for (const tap of taps) {
    const converted = floatTap(ix, tap);
    if (!converted) continue;
    added.push(converted.node);
    notes.push(converted.note);
  }

  const input = imageInput(graph, file);
  const inType = input.type?.tensorType?.elemType ?? DataType.FLOAT;
  const cast = floatInput(ix, input, inType);
  if (cast) {
    added.unshift(cast.node);
    notes.push(cast.note);
  }

  graph.node = [...added, ...(graph.node ?? [])];
  graph.output = taps.map((name) => onnx.ValueInfoProto.create(valueInfo(name, DataType.FLOAT, [])));
  graph.output.forEach((o) => {
    o.type!.tensorType!.shape = null;
  }); // shape left to ORT's inference
  prune(graph, input.name!);
  return { model, inputName: input.name!, originalInputType: TYPE_NAMES[inType], notes };
}

/** Names read inside subgraphs (If/Loop bodies) count as needed by their node. */
function subgraphReads(n: Node): string[] {
  const out: string[] = [];
  for (const a of n.attribute ?? [])
    for (const g of [a.g, ...(a.graphs ?? [])])
      if (g) for (const m of g.node ?? []) out.push(...(m.input ?? []), ...subgraphReads(m));
  return out;
}

/** Keep only nodes the outputs depend on, in a valid topological order, and only the initializers they read. */
export function prune(graph: Graph, inputName: string): void {
  const producer = new Map<string, Node>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const needed = new Set<Node>();
  const order: Node[] = [];
  const visit = (name: string, path: Set<Node>) => {
    const n = producer.get(name);
    if (!n || needed.has(n)) return;
    if (path.has(n)) throw new Error(`ONNX graph has a cycle through ${n.name || n.opType}`);
    path.add(n);
    for (const i of [...(n.input ?? []), ...subgraphReads(n)]) if (i) visit(i, path);
    path.delete(n);
    needed.add(n);
    order.push(n); // post-order = dependencies first
  };
  for (const o of graph.output ?? []) visit(o.name!, new Set());
  graph.node = order;
  const read = new Set(order.flatMap((n) => [...(n.input ?? []), ...subgraphReads(n)]));
  graph.initializer = (graph.initializer ?? []).filter((t) => read.has(t.name!));
  // IR < 4 lists initializers among the inputs too; keep those that survive, and the image input.
  graph.input = (graph.input ?? []).filter((i) => i.name === inputName || read.has(i.name!));
  const produced = new Set(order.flatMap((n) => n.output ?? []));
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  graph.valueInfo = (graph.valueInfo ?? []).filter(
    (v) => produced.has(v.name!) && !outputs.has(v.name) && v.name !== inputName,
  );
  // Recorded shapes describe the file's own input size; once H/W may vary they are wrong, so keep types only.
  for (const v of graph.valueInfo) if (v.type?.tensorType) v.type.tensorType.shape = null;
}
