/**
 * A minimal builder for small ONNX graphs made in code (the kNN kernel, the feature head).
 * Encodes with onnx-proto so ONNX Runtime can load the bytes directly.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type AttrValue = number | number[] | string | Float32Array;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  /** Number literals are ints unless listed here. */
  floatAttrs?: string[];
}

export interface ValueSpec {
  name: string;
  /** null entries are dynamic dimensions. */
  dims: (number | string | null)[];
  type?: 'float32' | 'int64';
}

export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

const elemType = (t: ValueSpec['type']) => (t === 'int64' ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT);

function valueInfo(v: ValueSpec): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: elemType(v.type),
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? undefined })) },
      },
    },
  };
}

function attribute(name: string, value: AttrValue, asFloat: boolean): onnxProto.onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (value instanceof Float32Array) return { name, type: A.FLOATS, floats: Array.from(value) };
  if (Array.isArray(value)) return asFloat ? { name, type: A.FLOATS, floats: value } : { name, type: A.INTS, ints: value };
  return asFloat ? { name, type: A.FLOAT, f: value } : { name, type: A.INT, i: value };
}

function tensor(init: Initializer): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength);
  return {
    name: init.name,
    dims: init.dims,
    dataType: init.data instanceof BigInt64Array ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT,
    rawData: bytes,
  };
}

/** Build a serialised ONNX model (opset 17) from nodes, inputs, outputs and constant tensors. */
export function buildModel(spec: {
  name: string;
  nodes: NodeSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers?: Initializer[];
}): Uint8Array {
  const graph: onnxProto.onnx.IGraphProto = {
    name: spec.name,
    node: spec.nodes.map((n, i) => ({
      name: `${n.op}_${i}`,
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v, n.floatAttrs?.includes(k) ?? false)),
    })),
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
    initializer: (spec.initializers ?? []).map(tensor),
  };
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'bench-qa-station/vision',
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
