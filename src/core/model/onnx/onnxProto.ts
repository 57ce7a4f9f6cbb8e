// ONNX's ModelProto read and written with protobufjs. The schema is ONNX's IR (onnx/onnx.proto, IR version 10),
// written out here as protobufjs source so nothing is generated at build time; every message and field is kept,
// since protobufjs drops unknown fields and a graph split into segments must keep what it does not understand.
import protobuf from 'protobufjs'
import { ModelWeightsError } from '../../errors.ts'

const SCHEMA = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; SPARSE_TENSOR = 11; TYPE_PROTO = 13;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; SPARSE_TENSORS = 12; TYPE_PROTOS = 14; }
  optional string name = 1; optional string ref_attr_name = 21; optional string doc_string = 13; optional AttributeType type = 20;
  optional float f = 2; optional int64 i = 3; optional bytes s = 4; optional TensorProto t = 5; optional GraphProto g = 6;
  optional SparseTensorProto sparse_tensor = 22; optional TypeProto tp = 14;
  repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9; repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11; repeated SparseTensorProto sparse_tensors = 23; repeated TypeProto type_protos = 15;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; repeated StringStringEntryProto metadata_props = 4; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; optional string domain = 7;
  optional string overload = 8; repeated AttributeProto attribute = 5; optional string doc_string = 6; repeated StringStringEntryProto metadata_props = 9;
}
message TrainingInfoProto { optional GraphProto initialization = 1; optional GraphProto algorithm = 2;
  repeated StringStringEntryProto initialization_binding = 3; repeated StringStringEntryProto update_binding = 4; }
message ModelProto {
  optional int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8; optional string producer_name = 2; optional string producer_version = 3;
  optional string domain = 4; optional int64 model_version = 5; optional string doc_string = 6; optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14; repeated TrainingInfoProto training_info = 20; repeated FunctionProto functions = 25;
}
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message TensorAnnotation { optional string tensor_name = 1; repeated StringStringEntryProto quant_parameter_tensor_names = 2; }
message GraphProto {
  repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; repeated SparseTensorProto sparse_initializer = 15;
  optional string doc_string = 10; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; repeated ValueInfoProto value_info = 13;
  repeated TensorAnnotation quantization_annotation = 14; repeated StringStringEntryProto metadata_props = 16;
}
message TensorProto {
  repeated int64 dims = 1; optional int32 data_type = 2;
  message Segment { optional int64 begin = 1; optional int64 end = 2; }
  optional Segment segment = 3;
  repeated float float_data = 4 [packed = true]; repeated int32 int32_data = 5 [packed = true]; repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true]; optional string name = 8; optional string doc_string = 12; optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13; optional int32 data_location = 14;
  repeated double double_data = 10 [packed = true]; repeated uint64 uint64_data = 11 [packed = true];
  repeated StringStringEntryProto metadata_props = 16;
}
message SparseTensorProto { optional TensorProto values = 1; optional TensorProto indices = 2; repeated int64 dims = 3; }
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } optional string denotation = 3; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  message Sequence { optional TypeProto elem_type = 1; }
  message Map { optional int32 key_type = 1; optional TypeProto value_type = 2; }
  message Optional { optional TypeProto elem_type = 1; }
  message SparseTensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; Sequence sequence_type = 4; Map map_type = 5; Optional optional_type = 9; SparseTensor sparse_tensor_type = 8; }
  optional string denotation = 6;
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message FunctionProto {
  optional string name = 1; repeated string input = 4; repeated string output = 5; repeated string attribute = 6;
  repeated AttributeProto attribute_proto = 11; repeated NodeProto node = 7; optional string doc_string = 8;
  repeated OperatorSetIdProto opset_import = 9; optional string domain = 10; optional string overload = 13;
  repeated ValueInfoProto value_info = 12; repeated StringStringEntryProto metadata_props = 14;
}
`

/** The parts of the decoded messages this project reads; everything else rides along untouched. */
export interface OnnxNode {
  input: string[]
  output: string[]
  name?: string
  opType?: string
  domain?: string
  attribute?: OnnxAttribute[]
}
/** An attribute as protobufjs decodes it: int64 fields arrive as Long or number (read them with int64). */
export interface OnnxAttribute {
  name: string
  type?: number
  i?: unknown
  f?: number
  ints?: unknown[]
}
export interface OnnxValueInfo {
  name: string
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: unknown; dimParam?: string }[] } } }
}
export interface OnnxTensor {
  name: string
  dims: unknown[]
  dataType?: number
  rawData?: Uint8Array
  floatData?: number[]
  dataLocation?: number
  externalData?: { key: string; value: string }[]
}
export interface OnnxGraph {
  node: OnnxNode[]
  name?: string
  initializer: OnnxTensor[]
  sparseInitializer: unknown[]
  input: OnnxValueInfo[]
  output: OnnxValueInfo[]
  valueInfo: OnnxValueInfo[]
}
export interface OnnxModel {
  irVersion?: unknown
  opsetImport: { domain?: string; version?: unknown }[]
  graph: OnnxGraph
  functions: unknown[]
  trainingInfo: unknown[]
}

let modelType: protobuf.Type | null = null
function type(): protobuf.Type {
  modelType ??= protobuf.parse(SCHEMA).root.lookupType('onnx.ModelProto')
  return modelType
}

/** Decodes an .onnx file; throws ModelWeightsError naming the file when it is not an ONNX model. */
export function decodeOnnx(bytes: Uint8Array, file: string): OnnxModel {
  let model: OnnxModel
  try {
    model = type().decode(bytes) as unknown as OnnxModel
  } catch (err) {
    throw new ModelWeightsError(`${file} is not an ONNX model: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (!model.graph || !Array.isArray(model.graph.node) || model.graph.node.length === 0) throw new ModelWeightsError(`${file} has no graph`)
  for (const key of ['initializer', 'sparseInitializer', 'input', 'output', 'valueInfo'] as const) model.graph[key] ??= []
  return model
}

export function encodeOnnx(model: OnnxModel): Uint8Array {
  return type().encode(model as unknown as protobuf.Message).finish()
}

/** A plain number from protobufjs's int64 (a Long, or a number when small). */
export function int64(v: unknown): number {
  if (typeof v === 'number') return v
  if (v && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber()
  return Number(v)
}
