#!/usr/bin/python3
"""Check the residual-stream structure of the exported fixtures and write copies that expose it.

For each family this walks the graph the way the JS side is meant to (embedding Gather, then
the chain of residual `Add` nodes, each taking the previous residual tensor as one input, then
the input of the final lm_head MatMul), asserts the chain has the expected length, and writes
`<outdir>/<family>.hooks.onnx` with those tensors added as extra graph outputs named by their
TransformerLens hook names, for `verify.mjs` to compare with expected.json.

    /usr/bin/python3 scripts/onnx-fixtures/hook_graph.py /tmp/onnx-hooks
"""
import json
import os
import sys

import onnx
from onnx import helper, TensorProto

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIX = os.path.join(ROOT, 'test-fixtures', 'onnx')


def find_hooks(m, family, n_layer):
    g = m.graph
    inits = {t.name for t in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    producer = {o: n for n in g.node for o in n.output}

    def gather_of(weight_suffix):
        hits = [n for n in g.node if n.op_type == 'Gather' and n.input[0].endswith(weight_suffix)]
        assert len(hits) == 1, (weight_suffix, [h.name for h in hits])
        return hits[0].output[0]

    def next_add(r):
        adds = [n for n in consumers.get(r, []) if n.op_type == 'Add'
                and all(i not in inits for i in n.input)
                and producer.get([i for i in n.input if i != r][0]) is not None]
        assert len(adds) == 1, (r, [a.name for a in adds])
        return adds[0].output[0]

    hooks = {}
    emb = {'gpt2': 'wte.weight', 'llama': 'embed_tokens.weight', 'gpt_neox': 'embed_in.weight'}[family]
    hooks['hook_embed'] = gather_of(emb)
    r = hooks['hook_embed']
    if family == 'gpt2':
        hooks['hook_pos_embed'] = gather_of('wpe.weight')
        r = next_add(r)
        assert r == next_add(hooks['hook_pos_embed'])
    for l in range(n_layer):
        hooks['blocks.%d.hook_resid_pre' % l] = r
        if family != 'gpt_neox':
            r = next_add(r)
            hooks['blocks.%d.hook_resid_mid' % l] = r
        r = next_add(r)
        hooks['blocks.%d.hook_resid_post' % l] = r
    # the chain ends at the last block: no further residual Add consumes it
    try:
        next_add(r)
        raise AssertionError('extra residual Add after the last block')
    except AssertionError as e:
        if 'extra' in str(e):
            raise
    lm = producer['logits']
    assert lm.op_type == 'MatMul', lm.op_type
    hooks['ln_final.hook_normalized'] = lm.input[0]
    return hooks


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else '/tmp/onnx-hooks'
    os.makedirs(outdir, exist_ok=True)
    summary = {}
    for family in ['gpt2', 'llama', 'gpt_neox']:
        cfg = json.load(open(os.path.join(FIX, family, 'config.json')))
        n_layer = cfg.get('n_layer') or cfg['num_hidden_layers']
        d = cfg.get('n_embd') or cfg['hidden_size']
        m = onnx.load(os.path.join(FIX, family, 'onnx', 'model.onnx'))
        hooks = find_hooks(m, family, n_layer)
        for name, tensor in hooks.items():
            idn = helper.make_node('Identity', [tensor], [name], name='expose_' + name)
            m.graph.node.append(idn)
            m.graph.output.append(helper.make_tensor_value_info(
                name, TensorProto.FLOAT, ['batch_size', 'sequence_length', d]))
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(outdir, family + '.hooks.onnx'))
        summary[family] = hooks
    print(json.dumps(summary, indent=1))


if __name__ == '__main__':
    main()
