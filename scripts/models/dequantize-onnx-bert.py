"""Turn a BERT exported to ONNX and quantized by onnxruntime (dynamic int8: MatMulInteger
for the linear layers, DequantizeLinear for the embedding tables) back into f32 weights in
a safetensors file, named as HuggingFace's BertModel names them, which candle loads.

    python dequantize-onnx-bert.py model.onnx model.safetensors

Each weight is found by following the graph from its quantized initializer to the bias it
is added to (`encoder.layer.0.attention.self.query.bias` names the `...query.weight`), so
nothing depends on the exporter's node names. Every initializer of more than a handful of
numbers must be accounted for, or the conversion stops.
"""

import sys

import numpy as np
import onnx
from onnx import numpy_helper
from safetensors.numpy import save_file


def only(nodes, what):
    assert len(nodes) == 1, (what, [node.op_type for node in nodes])
    return nodes[0]


def main(source, target):
    graph = onnx.load(source).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    weights, used = {}, set()

    # Linear layers: MatMulInteger(x_q, W_q, x_zp, W_zp) -> Cast -> Mul(x_scale * W_scale) -> Add(bias)
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        w_q, w_zp = node.input[1], node.input[3]
        cast = only(consumers[node.output[0]], "cast")
        mul = only(consumers[cast.output[0]], "mul")
        scales = producer[[i for i in mul.input if i != cast.output[0]][0]]
        assert scales.op_type == "Mul", scales.op_type
        (w_scale,) = [i for i in scales.input if i in init]
        add = only(consumers[mul.output[0]], "add")
        (bias,) = [i for i in add.input if i in init and i.endswith(".bias")]
        q = init[w_q].astype(np.float32)  # (in, out), one scale per output column
        w = (q - init[w_zp].astype(np.float32)) * init[w_scale].astype(np.float32)
        name = bias[: -len(".bias")] + ".weight"
        assert name not in weights, name
        weights[name] = np.ascontiguousarray(w.T)  # a Linear's weight is (out, in)
        used.update([w_q, w_zp, w_scale])

    # Embedding tables: Gather(W_q, ids) -> DequantizeLinear(scale, zero point)
    for node in graph.node:
        if node.op_type != "DequantizeLinear":
            continue
        gather = producer[node.input[0]]
        assert gather.op_type == "Gather", gather.op_type
        w_q, scale, zp = gather.input[0], node.input[1], node.input[2]
        assert w_q.endswith(".weight_quantized"), w_q
        table = init[w_q].astype(np.float32) - init[zp].astype(np.float32)
        weights[w_q[: -len("_quantized")]] = table * init[scale].astype(np.float32)
        used.update([w_q, scale, zp])

    # What was never quantized: layer norms, biases.
    for name, value in init.items():
        if name not in used and value.dtype == np.float32 and name.endswith((".weight", ".bias")):
            weights[name] = value
            used.add(name)

    left = [name for name, value in init.items() if name not in used and value.size > 4]
    assert not left, f"initializers not accounted for: {left}"
    weights = {k: np.ascontiguousarray(v.astype(np.float32)) for k, v in weights.items()}
    # One metadata key only, so that the same input gives the same bytes.
    save_file(weights, target, metadata={"format": "pt"})
    print(f"{len(weights)} tensors to {target}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
