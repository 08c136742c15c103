/**
 * Element types of every tensor in an ONNX graph, without running it: declared value_info first, then a
 * forward pass with the few rules that matter for image classifiers (quantize/dequantize, casts, shape ops).
 * Needed because a graph output must be declared with the type ORT will infer for it.
 */
import { DataType, toNumber, type Graph, type Node } from './proto.ts';

function declared(graph: Graph): Map<string, number> {
  const types = new Map<string, number>();
  for (const t of graph.initializer ?? []) types.set(t.name!, t.dataType!);
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const e = v.type?.tensorType?.elemType;
    if (e) types.set(v.name!, e);
  }
  return types;
}

const attr = (n: Node, name: string) => n.attribute?.find((a) => a.name === name);

/** Output element type of a node, from its op and the types of its inputs. */
function outputType(n: Node, types: Map<string, number>, index: number): number | undefined {
  const inType = (i: number) => (n.input?.[i] ? types.get(n.input[i]) : undefined);
  switch (n.opType) {
    case 'QuantizeLinear':
      return inType(2) ?? DataType.UINT8; // zero point decides; uint8 when absent
    case 'DynamicQuantizeLinear':
      return index === 1 ? DataType.FLOAT : DataType.UINT8;
    case 'DequantizeLinear':
      return inType(1) ?? DataType.FLOAT; // the scale's type
    case 'Cast':
      return toNumber(attr(n, 'to')?.i);
    case 'CastLike':
      return inType(1);
    case 'Shape':
    case 'Size':
    case 'ArgMax':
    case 'ArgMin':
    case 'NonZero':
      return DataType.INT64;
    case 'Equal':
    case 'Less':
    case 'Greater':
    case 'LessOrEqual':
    case 'GreaterOrEqual':
    case 'Not':
    case 'And':
    case 'Or':
    case 'IsNaN':
      return DataType.BOOL;
    case 'ConvInteger':
    case 'MatMulInteger':
      return DataType.INT32;
    case 'TopK':
      return index === 1 ? DataType.INT64 : inType(0);
    case 'MaxPool':
      return index === 1 ? DataType.INT64 : inType(0);
    case 'Dropout':
      return index === 1 ? DataType.BOOL : inType(0);
    case 'Constant': {
      const v = attr(n, 'value')?.t;
      return v?.dataType ?? (attr(n, 'value_float') ? DataType.FLOAT : DataType.INT64);
    }
    case 'ConstantOfShape':
      return attr(n, 'value')?.t?.dataType ?? DataType.FLOAT;
    default:
      // Elementwise, conv, pooling, QLinear* ops: same type as the data input (ops like Gather/Reshape too).
      return inType(0);
  }
}

/** Elem type per tensor name for the whole graph (nodes must be in topological order, as ONNX requires). */
export function inferElemTypes(graph: Graph): Map<string, number> {
  const types = declared(graph);
  for (const n of graph.node ?? []) {
    (n.output ?? []).forEach((o, i) => {
      if (!o || types.has(o)) return;
      const t = outputType(n, types, i);
      if (t) types.set(o, t);
    });
  }
  return types;
}

export const TYPE_NAMES: Record<number, string> = {
  [DataType.FLOAT]: 'float32',
  [DataType.FLOAT16]: 'float16',
  [DataType.DOUBLE]: 'float64',
  [DataType.UINT8]: 'uint8',
  [DataType.INT8]: 'int8',
  [DataType.INT32]: 'int32',
  [DataType.INT64]: 'int64',
  [DataType.BOOL]: 'bool',
};
