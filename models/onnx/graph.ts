/** A small builder that collects nodes, initializers and I/O, then serialises an ONNX ModelProto. */
import {
  DataType,
  encodeModel,
  floatTensor,
  int64Tensor,
  type Attr,
  type Node,
  type Tensor,
  type ValueInfo,
} from './proto.ts';

/** A dimension: a fixed size, a symbolic name, or null for unknown. */
export type Dim = number | string | null;

export function valueInfo(name: string, elemType: number, dims: Dim[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) =>
            typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {},
          ),
        },
      },
    },
  };
}

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private used = new Set<string>();
  private nodeNames = new Set<string>();

  /** A tensor/node name not used yet, derived from `base`. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX graph: name ${name} used twice`);
    this.used.add(name);
    return name;
  }

  floatInit(base: string, dims: number[], data: Float32Array): string {
    const name = this.unique(base);
    this.initializers.set(name, floatTensor(name, dims, data));
    return name;
  }

  int64Init(base: string, values: number[]): string {
    const name = this.unique(base);
    this.initializers.set(name, int64Tensor(name, values));
    return name;
  }

  scalarInit(base: string, value: number): string {
    const name = this.unique(base);
    this.initializers.set(name, floatTensor(name, [], new Float32Array([value])));
    return name;
  }

  node(opType: string, inputs: string[], outputs: string[], attribute: Attr[] = [], name?: string): Node {
    // Node names must be unique too (ORT refuses duplicates); they need not match tensor names.
    let nodeName = name ?? outputs[0];
    for (let i = 1; this.nodeNames.has(nodeName); i++) nodeName = `${name ?? outputs[0]}_${i}`;
    this.nodeNames.add(nodeName);
    const node: Node = { opType, input: inputs, output: outputs, attribute, name: nodeName };
    this.nodes.push(node);
    return node;
  }

  input(name: string, dims: Dim[], elemType: number = DataType.FLOAT) {
    this.inputs.push(valueInfo(name, elemType, dims));
  }

  output(name: string, dims: Dim[], elemType: number = DataType.FLOAT) {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Drop initializers that no node reads (e.g. weights made redundant by BatchNorm folding). */
  private liveInitializers(): Tensor[] {
    const read = new Set(this.nodes.flatMap((n) => n.input ?? []));
    return [...this.initializers.values()].filter((t) => read.has(t.name!));
  }

  toBytes(meta: { graphName: string; docString?: string; opset?: number }): Uint8Array {
    return encodeModel({
      irVersion: 7,
      producerName: 'bench-qa-station models/',
      producerVersion: '1',
      docString: meta.docString,
      opsetImport: [{ domain: '', version: meta.opset ?? 13 }],
      graph: {
        name: meta.graphName,
        node: this.nodes,
        initializer: this.liveInitializers(),
        input: this.inputs,
        output: this.outputs,
      },
    });
  }
}
