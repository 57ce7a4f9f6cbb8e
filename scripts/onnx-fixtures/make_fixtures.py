#!/usr/bin/python3
"""Make tiny random-weight ONNX decoder fixtures (gpt2, llama, gpt_neox, gemma2) and reference outputs.

Run from the repo root:
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/onnx-fixtures/make_fixtures.py [--only FAMILY]

Needs only torch (1.13) and onnx (1.12). The three model families are written here in plain
PyTorch with Hugging Face's module/parameter names and math (no `transformers` package), then
exported with the TorchScript ONNX exporter in the transformers.js / Optimum decoder layout.
Everything is seeded, so a rerun produces byte-identical files.
"""
import json
import math
import os
import struct
import sys

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.use_deterministic_algorithms(True)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'test-fixtures', 'onnx')
OPSET = 14
VOCAB_SIZE = 128
N_CTX = 64
UNK, BOS, EOS = 0, 1, 2
WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', 'a', 'big', 'red', 'ball', 'and',
         'to', 'park', '.', 'is']
PROMPT_TEXT = 'the cat sat on the mat'
NEG = torch.finfo(torch.float32).min


# ----------------------------------------------------------------------------------------------
# Tokenizer (shared by all three families)

def vocab_list():
    toks = ['<unk>', '<s>', '</s>'] + WORDS
    toks += ['t%d' % i for i in range(VOCAB_SIZE - len(toks))]
    assert len(toks) == VOCAB_SIZE
    return toks


def tokenizer_json():
    toks = vocab_list()
    special = [(UNK, '<unk>'), (BOS, '<s>'), (EOS, '</s>')]
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [
            {'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
             'normalized': False, 'special': True} for i, t in special],
        'normalizer': None,
        'pre_tokenizer': {'type': 'Whitespace'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}},
                       {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}},
                     {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '<s>', 'type_id': 1}},
                     {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {'<s>': {'id': '<s>', 'ids': [BOS], 'tokens': ['<s>']}},
        },
        'decoder': None,
        'model': {'type': 'WordLevel', 'vocab': {t: i for i, t in enumerate(toks)},
                  'unk_token': '<unk>'},
    }


def tokenizer_config():
    return {'bos_token': '<s>', 'eos_token': '</s>', 'unk_token': '<unk>',
            'add_bos_token': True, 'model_max_length': N_CTX,
            'tokenizer_class': 'PreTrainedTokenizerFast', 'clean_up_tokenization_spaces': False}


def encode(text):
    ids = {t: i for i, t in enumerate(vocab_list())}
    return [BOS] + [ids.get(w, UNK) for w in text.split()]


# ----------------------------------------------------------------------------------------------
# Shared pieces

def causal_mask(attention_mask, seq_len):
    """Boolean [batch, 1, seq, kv] mask, True = may attend. Built from shapes, any past length."""
    kv_len = attention_mask.shape[1]
    past = kv_len - seq_len
    q_pos = torch.arange(seq_len, device=attention_mask.device).unsqueeze(1) + past
    k_pos = torch.arange(kv_len, device=attention_mask.device).unsqueeze(0)
    causal = k_pos <= q_pos  # [seq, kv]
    keep = attention_mask[:, None, None, :] != 0  # [batch, 1, 1, kv]
    return causal[None, None, :, :] & keep


def attend(q, k, v, mask, head_dim):
    """q [b,h,s,d], k/v [b,h,kv,d] (already repeated for GQA), mask bool [b,1,s,kv]."""
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(head_dim)
    scores = scores.masked_fill(~mask, NEG)
    probs = torch.softmax(scores, dim=-1)
    return torch.matmul(probs, v)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(inv_freq, position_ids):
    """HF convention: freqs = pos * inv_freq, emb = cat(freqs, freqs). Returns [b,1,s,dim]."""
    freqs = position_ids[:, :, None].float() * inv_freq[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos()[:, None, :, :], emb.sin()[:, None, :, :]


def apply_rope(x, cos, sin):
    return x * cos + rotate_half(x) * sin


class Conv1D(nn.Module):
    """HF GPT-2 Conv1D: weight [in, out], y = x @ W + b."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return torch.matmul(x, self.weight) + self.bias


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.variance_epsilon = eps

    def forward(self, h):
        variance = h.pow(2).mean(-1, keepdim=True)
        h = h * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * h


class Hooks:
    """Optional capture/edit of TransformerLens-named residual stream values (torch side only)."""

    def __init__(self, edit=None):
        self.values = {}
        self.edit = edit  # (name, tensor) -> tensor

    def __call__(self, name, x):
        if self.edit is not None:
            x = self.edit(name, x)
        self.values[name] = x
        return x


def _h(hooks, name, x):
    return hooks(name, x) if hooks is not None else x


class CausalLM(nn.Module):
    """forward() has the exported signature (flat past in, flat presents out); run() is the
    reference entry point with optional hooks."""

    def forward(self, input_ids, attention_mask, position_ids, *past):
        logits, presents = self.run(input_ids, attention_mask, position_ids, list(past))
        return (logits, *presents)


# ----------------------------------------------------------------------------------------------
# GPT-2

def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['n_embd']
        self.n_head = c['n_head']
        self.head_dim = d // self.n_head
        self.c_attn = Conv1D(3 * d, d)
        self.c_proj = Conv1D(d, d)

    def _split(self, x):
        b, s = x.shape[0], x.shape[1]
        return x.view(b, s, self.n_head, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, h, past_k, past_v, mask):
        q, k, v = self.c_attn(h).split(self.n_head * self.head_dim, dim=2)
        q, k, v = self._split(q), self._split(k), self._split(v)
        k = torch.cat((past_k, k), dim=-2)
        v = torch.cat((past_v, v), dim=-2)
        o = attend(q, k, v, mask, self.head_dim)
        b, s = h.shape[0], h.shape[1]
        o = o.permute(0, 2, 1, 3).reshape(b, s, self.n_head * self.head_dim)
        return self.c_proj(o), k, v


class GPT2MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['n_embd']
        self.c_fc = Conv1D(4 * d, d)
        self.c_proj = Conv1D(d, 4 * d)

    def forward(self, h):
        return self.c_proj(gelu_new(self.c_fc(h)))


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c['n_embd'], c['layer_norm_epsilon']
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = GPT2Attention(c)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.mlp = GPT2MLP(c)

    def forward(self, h, past_k, past_v, mask, l, hooks):
        residual = h
        attn_output, k, v = self.attn(self.ln_1(h), past_k, past_v, mask)
        h = attn_output + residual
        h = _h(hooks, 'blocks.%d.hook_resid_mid' % l, h)
        residual = h
        h = residual + self.mlp(self.ln_2(h))
        return h, k, v


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['n_embd']
        self.wte = nn.Embedding(c['vocab_size'], d)
        self.wpe = nn.Embedding(c['n_positions'], d)
        self.h = nn.ModuleList([GPT2Block(c) for _ in range(c['n_layer'])])
        self.ln_f = nn.LayerNorm(d, eps=c['layer_norm_epsilon'])


class GPT2LMHeadModel(CausalLM):
    family = 'gpt2'

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.n_layer = c['n_layer']
        self.n_kv = c['n_head']
        self.head_dim = c['n_embd'] // c['n_head']
        self.transformer = GPT2Model(c)

    def run(self, input_ids, attention_mask, position_ids, past, hooks=None):
        t = self.transformer
        mask = causal_mask(attention_mask, input_ids.shape[1])
        tok = _h(hooks, 'hook_embed', t.wte(input_ids))
        pos = _h(hooks, 'hook_pos_embed', t.wpe(position_ids))
        h = tok + pos
        presents = []
        for l, block in enumerate(t.h):
            h = _h(hooks, 'blocks.%d.hook_resid_pre' % l, h)
            h, k, v = block(h, past[2 * l], past[2 * l + 1], mask, l, hooks)
            h = _h(hooks, 'blocks.%d.hook_resid_post' % l, h)
            presents += [k, v]
        h = _h(hooks, 'ln_final.hook_normalized', t.ln_f(h))
        logits = torch.matmul(h, t.wte.weight.t())  # lm_head tied to wte
        return logits, presents


# ----------------------------------------------------------------------------------------------
# Llama

class LlamaAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.num_heads = c['num_attention_heads']
        self.num_key_value_heads = c['num_key_value_heads']
        self.head_dim = d // self.num_heads
        self.q_proj = nn.Linear(d, self.num_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.num_key_value_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.num_key_value_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, d, bias=False)

    def forward(self, h, cos, sin, past_k, past_v, mask):
        b, s = h.shape[0], h.shape[1]
        q, k, v = rotary_qkv(self, h, cos, sin, past_k, past_v)
        n_rep = self.num_heads // self.num_key_value_heads
        o = attend(q, repeat_kv(k, n_rep), repeat_kv(v, n_rep), mask, self.head_dim)
        o = o.transpose(1, 2).reshape(b, s, self.num_heads * self.head_dim)
        return self.o_proj(o), k, v


def rotary_qkv(attn, h, cos, sin, past_k, past_v):
    """Llama-style q/k/v projections, RoPE on q and k, and the cache: q [b,h,s,d], k/v [b,kv,past+s,d]."""
    b, s = h.shape[0], h.shape[1]
    q = attn.q_proj(h).view(b, s, attn.num_heads, attn.head_dim).transpose(1, 2)
    k = attn.k_proj(h).view(b, s, attn.num_key_value_heads, attn.head_dim).transpose(1, 2)
    v = attn.v_proj(h).view(b, s, attn.num_key_value_heads, attn.head_dim).transpose(1, 2)
    q = apply_rope(q, cos, sin)
    k = apply_rope(k, cos, sin)
    return q, torch.cat((past_k, k), dim=2), torch.cat((past_v, v), dim=2)


def repeat_kv(x, n_rep):
    b, n_kv, slen, hd = x.shape[0], x.shape[1], x.shape[2], x.shape[3]
    if n_rep == 1:
        return x
    x = x[:, :, None, :, :].expand(b, n_kv, n_rep, slen, hd)
    return x.reshape(b, n_kv * n_rep, slen, hd)


class LlamaMLP(nn.Module):
    """Gated MLP: SwiGLU in Llama; Gemma 2 passes the tanh GELU (GeGLU)."""

    def __init__(self, c, act=F.silu):
        super().__init__()
        d, i = c['hidden_size'], c['intermediate_size']
        self.act = act
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c['hidden_size'], c['rms_norm_eps']
        self.self_attn = LlamaAttention(c)
        self.mlp = LlamaMLP(c)
        self.input_layernorm = RMSNorm(d, eps)
        self.post_attention_layernorm = RMSNorm(d, eps)

    def forward(self, h, cos, sin, past_k, past_v, mask, l, hooks):
        residual = h
        a, k, v = self.self_attn(self.input_layernorm(h), cos, sin, past_k, past_v, mask)
        h = residual + a
        h = _h(hooks, 'blocks.%d.hook_resid_mid' % l, h)
        residual = h
        h = residual + self.mlp(self.post_attention_layernorm(h))
        return h, k, v


class LlamaModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.embed_tokens = nn.Embedding(c['vocab_size'], d)
        self.layers = nn.ModuleList([LlamaDecoderLayer(c) for _ in range(c['num_hidden_layers'])])
        self.norm = RMSNorm(d, c['rms_norm_eps'])
        hd = d // c['num_attention_heads']
        inv_freq = 1.0 / (c['rope_theta'] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
        self.register_buffer('inv_freq', inv_freq, persistent=False)


class LlamaForCausalLM(CausalLM):
    family = 'llama'

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.n_layer = c['num_hidden_layers']
        self.n_kv = c['num_key_value_heads']
        self.head_dim = c['hidden_size'] // c['num_attention_heads']
        self.model = LlamaModel(c)
        self.lm_head = nn.Linear(c['hidden_size'], c['vocab_size'], bias=False)

    def run(self, input_ids, attention_mask, position_ids, past, hooks=None):
        m = self.model
        mask = causal_mask(attention_mask, input_ids.shape[1])
        h = _h(hooks, 'hook_embed', m.embed_tokens(input_ids))
        cos, sin = rope_cos_sin(m.inv_freq, position_ids)
        presents = []
        for l, layer in enumerate(m.layers):
            h = _h(hooks, 'blocks.%d.hook_resid_pre' % l, h)
            h, k, v = layer(h, cos, sin, past[2 * l], past[2 * l + 1], mask, l, hooks)
            h = _h(hooks, 'blocks.%d.hook_resid_post' % l, h)
            presents += [k, v]
        h = _h(hooks, 'ln_final.hook_normalized', m.norm(h))
        return self.lm_head(h), presents


# ----------------------------------------------------------------------------------------------
# GPT-NeoX (Pythia)

class GPTNeoXAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.num_attention_heads = c['num_attention_heads']
        self.head_size = d // self.num_attention_heads
        self.rotary_ndims = int(self.head_size * c['rotary_pct'])
        self.query_key_value = nn.Linear(d, 3 * d)
        self.dense = nn.Linear(d, d)

    def forward(self, h, cos, sin, past_k, past_v, mask):
        b, s = h.shape[0], h.shape[1]
        qkv = self.query_key_value(h)
        qkv = qkv.view(b, s, self.num_attention_heads, 3 * self.head_size)
        hs = self.head_size
        q = qkv[..., :hs].permute(0, 2, 1, 3)
        k = qkv[..., hs:2 * hs].permute(0, 2, 1, 3)
        v = qkv[..., 2 * hs:].permute(0, 2, 1, 3)
        r = self.rotary_ndims
        q = torch.cat((apply_rope(q[..., :r], cos, sin), q[..., r:]), dim=-1)
        k = torch.cat((apply_rope(k[..., :r], cos, sin), k[..., r:]), dim=-1)
        k = torch.cat((past_k, k), dim=-2)
        v = torch.cat((past_v, v), dim=-2)
        o = attend(q, k, v, mask, hs)
        o = o.permute(0, 2, 1, 3).reshape(b, s, self.num_attention_heads * hs)
        return self.dense(o), k, v


class GPTNeoXMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense_h_to_4h = nn.Linear(c['hidden_size'], c['intermediate_size'])
        self.dense_4h_to_h = nn.Linear(c['intermediate_size'], c['hidden_size'])

    def forward(self, x):
        return self.dense_4h_to_h(F.gelu(self.dense_h_to_4h(x)))


class GPTNeoXLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c['hidden_size'], c['layer_norm_eps']
        self.input_layernorm = nn.LayerNorm(d, eps=eps)
        self.post_attention_layernorm = nn.LayerNorm(d, eps=eps)
        self.attention = GPTNeoXAttention(c)
        self.mlp = GPTNeoXMLP(c)

    def forward(self, h, cos, sin, past_k, past_v, mask, l, hooks):
        attn_output, k, v = self.attention(self.input_layernorm(h), cos, sin, past_k, past_v, mask)
        # use_parallel_residual: x = x + attn(ln1(x)) + mlp(ln2(x))  (HF order)
        mlp_output = self.mlp(self.post_attention_layernorm(h))
        h = mlp_output + attn_output + h
        return h, k, v


class GPTNeoXModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.embed_in = nn.Embedding(c['vocab_size'], d)
        self.layers = nn.ModuleList([GPTNeoXLayer(c) for _ in range(c['num_hidden_layers'])])
        self.final_layer_norm = nn.LayerNorm(d, eps=c['layer_norm_eps'])
        dim = int((d // c['num_attention_heads']) * c['rotary_pct'])
        inv_freq = 1.0 / (c['rotary_emb_base'] ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        self.register_buffer('inv_freq', inv_freq, persistent=False)


class GPTNeoXForCausalLM(CausalLM):
    family = 'gpt_neox'

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.n_layer = c['num_hidden_layers']
        self.n_kv = c['num_attention_heads']
        self.head_dim = c['hidden_size'] // c['num_attention_heads']
        self.gpt_neox = GPTNeoXModel(c)
        self.embed_out = nn.Linear(c['hidden_size'], c['vocab_size'], bias=False)

    def run(self, input_ids, attention_mask, position_ids, past, hooks=None):
        m = self.gpt_neox
        mask = causal_mask(attention_mask, input_ids.shape[1])
        h = _h(hooks, 'hook_embed', m.embed_in(input_ids))
        cos, sin = rope_cos_sin(m.inv_freq, position_ids)
        presents = []
        for l, layer in enumerate(m.layers):
            h = _h(hooks, 'blocks.%d.hook_resid_pre' % l, h)
            h, k, v = layer(h, cos, sin, past[2 * l], past[2 * l + 1], mask, l, hooks)
            h = _h(hooks, 'blocks.%d.hook_resid_post' % l, h)
            presents += [k, v]
        h = _h(hooks, 'ln_final.hook_normalized', m.final_layer_norm(h))
        return self.embed_out(h), presents


# ----------------------------------------------------------------------------------------------
# Gemma 2: embeddings scaled by sqrt(d), RMSNorm with (1 + weight), "sandwich" norms around attention and MLP,
# GeGLU (tanh GELU), queries scaled by query_pre_attn_scalar^-1/2, attention and final-logit soft-capping,
# sliding-window attention on even layers, grouped-query attention, head_dim independent of hidden_size.

class Gemma2RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        out = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return out * (1.0 + self.weight)


class Gemma2Attention(nn.Module):
    def __init__(self, c, layer_idx):
        super().__init__()
        d = c['hidden_size']
        self.num_heads = c['num_attention_heads']
        self.num_key_value_heads = c['num_key_value_heads']
        self.head_dim = c['head_dim']
        self.scaling = c['query_pre_attn_scalar'] ** -0.5
        self.softcap = c['attn_logit_softcapping']
        self.sliding_window = c['sliding_window'] if layer_idx % 2 == 0 else None
        self.q_proj = nn.Linear(d, self.num_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.num_key_value_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.num_key_value_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, d, bias=False)

    def forward(self, h, cos, sin, past_k, past_v, mask):
        b, s = h.shape[0], h.shape[1]
        q, k, v = rotary_qkv(self, h, cos, sin, past_k, past_v)
        n_rep = self.num_heads // self.num_key_value_heads
        if self.sliding_window is not None:
            # HF: a query at position i sees keys i - window < j <= i.
            kv_len, past = k.shape[2], k.shape[2] - s
            q_pos = torch.arange(s).unsqueeze(1) + past
            k_pos = torch.arange(kv_len).unsqueeze(0)
            mask = mask & (k_pos > q_pos - self.sliding_window)[None, None, :, :]
        scores = torch.matmul(q, repeat_kv(k, n_rep).transpose(-1, -2)) * self.scaling
        scores = torch.tanh(scores / self.softcap) * self.softcap
        scores = scores.masked_fill(~mask, NEG)
        o = torch.matmul(torch.softmax(scores, dim=-1), repeat_kv(v, n_rep))
        o = o.transpose(1, 2).reshape(b, s, self.num_heads * self.head_dim)
        return self.o_proj(o), k, v


def gelu_tanh(x):
    return F.gelu(x, approximate='tanh')


class Gemma2DecoderLayer(nn.Module):
    def __init__(self, c, layer_idx):
        super().__init__()
        d, eps = c['hidden_size'], c['rms_norm_eps']
        self.self_attn = Gemma2Attention(c, layer_idx)
        self.mlp = LlamaMLP(c, gelu_tanh)
        self.input_layernorm = Gemma2RMSNorm(d, eps)
        self.post_attention_layernorm = Gemma2RMSNorm(d, eps)
        self.pre_feedforward_layernorm = Gemma2RMSNorm(d, eps)
        self.post_feedforward_layernorm = Gemma2RMSNorm(d, eps)

    def forward(self, h, cos, sin, past_k, past_v, mask, l, hooks):
        residual = h
        a, k, v = self.self_attn(self.input_layernorm(h), cos, sin, past_k, past_v, mask)
        h = residual + self.post_attention_layernorm(a)
        h = _h(hooks, 'blocks.%d.hook_resid_mid' % l, h)
        residual = h
        h = residual + self.post_feedforward_layernorm(self.mlp(self.pre_feedforward_layernorm(h)))
        return h, k, v


class Gemma2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['hidden_size']
        self.embed_tokens = nn.Embedding(c['vocab_size'], d)
        self.layers = nn.ModuleList([Gemma2DecoderLayer(c, i) for i in range(c['num_hidden_layers'])])
        self.norm = Gemma2RMSNorm(d, c['rms_norm_eps'])
        hd = c['head_dim']
        inv_freq = 1.0 / (c['rope_theta'] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
        self.register_buffer('inv_freq', inv_freq, persistent=False)


class Gemma2ForCausalLM(CausalLM):
    family = 'gemma2'

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.n_layer = c['num_hidden_layers']
        self.n_kv = c['num_key_value_heads']
        self.head_dim = c['head_dim']
        self.model = Gemma2Model(c)
        self.final_softcap = c['final_logit_softcapping']

    def run(self, input_ids, attention_mask, position_ids, past, hooks=None):
        m = self.model
        mask = causal_mask(attention_mask, input_ids.shape[1])
        # The residual stream starts at the scaled embedding; TransformerLens's hook_embed is that value.
        normalizer = torch.tensor(self.c['hidden_size'] ** 0.5, dtype=torch.float32)
        h = _h(hooks, 'hook_embed', m.embed_tokens(input_ids) * normalizer)
        cos, sin = rope_cos_sin(m.inv_freq, position_ids)
        presents = []
        for l, layer in enumerate(m.layers):
            h = _h(hooks, 'blocks.%d.hook_resid_pre' % l, h)
            h, k, v = layer(h, cos, sin, past[2 * l], past[2 * l + 1], mask, l, hooks)
            h = _h(hooks, 'blocks.%d.hook_resid_post' % l, h)
            presents += [k, v]
        h = _h(hooks, 'ln_final.hook_normalized', m.norm(h))
        logits = torch.matmul(h, m.embed_tokens.weight.t())  # lm_head tied to embed_tokens
        logits = torch.tanh(logits / self.final_softcap) * self.final_softcap
        return logits, presents


# ----------------------------------------------------------------------------------------------
# Configs and init

def configs():
    common = {'vocab_size': VOCAB_SIZE, 'bos_token_id': BOS, 'eos_token_id': EOS,
              'torch_dtype': 'float32', 'use_cache': True}
    gpt2 = dict(common, model_type='gpt2', architectures=['GPT2LMHeadModel'],
                n_embd=32, n_layer=3, n_head=4, n_positions=N_CTX, n_ctx=N_CTX, n_inner=None,
                activation_function='gelu_new', layer_norm_epsilon=1e-5,
                scale_attn_weights=True, tie_word_embeddings=True,
                resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, initializer_range=0.02)
    llama = dict(common, model_type='llama', architectures=['LlamaForCausalLM'],
                 hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
                 num_key_value_heads=2, head_dim=8, intermediate_size=64, hidden_act='silu',
                 rms_norm_eps=1e-6, rope_theta=10000.0, rope_scaling=None,
                 max_position_embeddings=N_CTX, tie_word_embeddings=False,
                 attention_bias=False, mlp_bias=False, initializer_range=0.02)
    neox = dict(common, model_type='gpt_neox', architectures=['GPTNeoXForCausalLM'],
                hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                intermediate_size=128, hidden_act='gelu', rotary_pct=0.25,
                rotary_emb_base=10000, max_position_embeddings=N_CTX, layer_norm_eps=1e-5,
                use_parallel_residual=True, tie_word_embeddings=False, attention_bias=True,
                initializer_range=0.02)
    gemma2 = dict(common, model_type='gemma2', architectures=['Gemma2ForCausalLM'],
                  hidden_size=32, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                  head_dim=16, intermediate_size=64, hidden_activation='gelu_pytorch_tanh',
                  rms_norm_eps=1e-6, rope_theta=10000.0, max_position_embeddings=N_CTX,
                  query_pre_attn_scalar=16, attn_logit_softcapping=50.0,
                  final_logit_softcapping=30.0, sliding_window=4, tie_word_embeddings=True,
                  attention_bias=False, initializer_range=0.02)
    return [('gpt2', GPT2LMHeadModel, gpt2, 1234),
            ('llama', LlamaForCausalLM, llama, 2345),
            ('gpt_neox', GPTNeoXForCausalLM, neox, 3456),
            ('gemma2', Gemma2ForCausalLM, gemma2, 4567)]


def init_weights(model, seed):
    """Larger-than-HF random init so logits are spread out (clear argmax margins)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            shape = p.shape
            if name.endswith('wte.weight') or name.endswith('embed_tokens.weight') or name.endswith('embed_in.weight'):
                v = torch.randn(shape, generator=g) * 0.5
            elif name.endswith('wpe.weight'):
                v = torch.randn(shape, generator=g) * 0.2
            elif p.dim() == 1 and isinstance(_owner(model, name), Gemma2RMSNorm):
                v = 0.1 * torch.randn(shape, generator=g)  # used as (1 + weight)
            elif p.dim() == 1 and ('norm' in name or 'ln_' in name) and name.endswith('weight'):
                v = 1.0 + 0.1 * torch.randn(shape, generator=g)
            elif p.dim() == 1:  # biases
                v = 0.05 * torch.randn(shape, generator=g)
            else:
                # Conv1D is [in, out]; nn.Linear is [out, in]
                fan_in = shape[0] if isinstance(_owner(model, name), Conv1D) else shape[1]
                v = torch.randn(shape, generator=g) / math.sqrt(fan_in)
                if name in ('lm_head.weight', 'embed_out.weight'):
                    v = v * 2.5
            p.copy_(v)


def _owner(model, pname):
    mod = model
    for part in pname.split('.')[:-1]:
        mod = getattr(mod, part)
    return mod


def empty_past(model, batch=1, past=0):
    return [torch.zeros(batch, model.n_kv, past, model.head_dim) for _ in range(2 * model.n_layer)]


def run_full(model, ids, hooks=None):
    """Full recompute forward for one sequence (batch 1, no past)."""
    input_ids = torch.tensor([ids], dtype=torch.int64)
    am = torch.ones_like(input_ids)
    pos = torch.arange(len(ids), dtype=torch.int64)[None]
    logits, _ = model.run(input_ids, am, pos, empty_past(model), hooks)
    return logits[0]


# ----------------------------------------------------------------------------------------------
# ONNX export

def io_names(model):
    past_in, present_out = [], []
    for l in range(model.n_layer):
        past_in += ['past_key_values.%d.key' % l, 'past_key_values.%d.value' % l]
        present_out += ['present.%d.key' % l, 'present.%d.value' % l]
    return past_in, present_out


def export_onnx(model, path):
    past_in, present_out = io_names(model)
    g = torch.Generator().manual_seed(7)
    b, s, p = 2, 3, 4  # trace with nonzero past so nothing specialises to an empty cache
    input_ids = torch.randint(3, VOCAB_SIZE, (b, s), generator=g)
    am = torch.ones(b, p + s, dtype=torch.int64)
    pos = torch.arange(p, p + s, dtype=torch.int64)[None].expand(b, s).contiguous()
    past = [torch.randn(b, model.n_kv, p, model.head_dim, generator=g) for _ in past_in]
    dyn = {'input_ids': {0: 'batch_size', 1: 'sequence_length'},
           'attention_mask': {0: 'batch_size', 1: 'total_sequence_length'},
           'position_ids': {0: 'batch_size', 1: 'sequence_length'},
           'logits': {0: 'batch_size', 1: 'sequence_length'}}
    for n in past_in:
        dyn[n] = {0: 'batch_size', 2: 'past_sequence_length'}
    for n in present_out:
        dyn[n] = {0: 'batch_size', 2: 'total_sequence_length'}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(model, (input_ids, am, pos, *past), path,
                      input_names=['input_ids', 'attention_mask', 'position_ids'] + past_in,
                      output_names=['logits'] + present_out, dynamic_axes=dyn,
                      opset_version=OPSET, do_constant_folding=True)
    m = onnx.load(path)
    # Drop the exporter's doc strings (they hold absolute source paths) to keep files stable.
    for node in m.graph.node:
        node.doc_string = ''
    m.producer_name = 'monoscope-onnx-fixtures'
    m.producer_version = 'torch-' + torch.__version__.split('+')[0]
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)
    return m, (input_ids, am, pos, past)


def describe_io(m):
    def dims(t):
        return [d.dim_param or d.dim_value for d in t.type.tensor_type.shape.dim]
    dt = {1: 'float32', 7: 'int64'}
    return {'inputs': [[i.name, dt[i.type.tensor_type.elem_type], dims(i)] for i in m.graph.input],
            'outputs': [[o.name, dt[o.type.tensor_type.elem_type], dims(o)] for o in m.graph.output]}


# ----------------------------------------------------------------------------------------------
# Files

def round6(x):
    if isinstance(x, torch.Tensor):
        x = x.tolist()
    if isinstance(x, list):
        return [round6(v) for v in x]
    return float('%.6g' % x)


def write_json(path, obj):
    compact = path.endswith('expected.json')
    with open(path, 'w') as f:
        if compact:
            json.dump(obj, f, separators=(',', ':'))
        else:
            json.dump(obj, f, indent=1)
        f.write('\n')


def write_safetensors(path, tensors):
    """Hand-written safetensors (no package needed): u64 LE header length, JSON header, raw data."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        raw = t.numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header['__metadata__'] = {'format': 'pt'}
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ----------------------------------------------------------------------------------------------
# SAE + steering

def make_sae(d_in, seed, x):
    d_sae = 4 * d_in
    g = torch.Generator().manual_seed(seed)
    W_enc = torch.randn(d_in, d_sae, generator=g) / math.sqrt(d_in)
    # decoder rows with non-unit, varied norms (so additive steering must normalise)
    # tied-transpose init (as SAELens does), rows given varied non-unit norms
    W_dec = W_enc.t().clone() * (0.5 + torch.rand(d_sae, 1, generator=g))
    b_dec = 0.1 * x.std() * torch.randn(d_in, generator=g)
    pre = (x - b_dec) @ W_enc
    b_enc = -0.5 * pre.std() + 0.1 * pre.std() * torch.randn(d_sae, generator=g)
    # one least-squares scale on the decoder so the reconstruction is at least roughly right
    y = torch.relu(pre + b_enc) @ W_dec
    W_dec = W_dec * ((x - b_dec) * y).sum() / (y * y).sum()
    return {'W_enc': W_enc, 'W_dec': W_dec, 'b_enc': b_enc, 'b_dec': b_dec}


def sae_encode(sae, x):
    return torch.relu((x - sae['b_dec']) @ sae['W_enc'] + sae['b_enc'])


def sae_decode(sae, f):
    return f @ sae['W_dec'] + sae['b_dec']


# ----------------------------------------------------------------------------------------------

def build_family(family, cls, cfg, seed):
    torch.manual_seed(seed)
    model = cls(cfg).eval()
    init_weights(model, seed)
    d_model = cfg.get('hidden_size') or cfg['n_embd']
    if 'head_dim' not in cfg or family != 'gemma2':  # Gemma's head_dim is its own number
        assert model.head_dim * (cfg.get('num_attention_heads') or cfg['n_head']) == d_model
    n_layer = model.n_layer
    fdir = os.path.join(OUT, family)
    os.makedirs(os.path.join(fdir, 'onnx'), exist_ok=True)

    with torch.no_grad():
        onnx_model, trace_inputs = export_onnx(model, os.path.join(fdir, 'onnx', 'model.onnx'))

        # --- self-checks in torch --------------------------------------------------------
        prompt = encode(PROMPT_TEXT)
        hooks = Hooks()
        logits = run_full(model, prompt, hooks)
        # KV-cache in torch (prefill 4, then 1 token at a time) equals full recompute
        ids = torch.tensor([prompt])
        past = empty_past(model)
        pieces = []
        for a, bnd in [(0, 4), (4, 5), (5, 6), (6, len(prompt))]:
            lg, past = model.run(ids[:, a:bnd], torch.ones(1, bnd, dtype=torch.int64),
                             torch.arange(a, bnd)[None], past)
            pieces.append(lg[0])
        kv_err = (torch.cat(pieces) - logits).abs().max().item()
        assert kv_err < 1e-4, kv_err
        # the traced graph reproduces eager on the tracing input (past 4, batch 2)
        traced = torch.jit.trace(model, (trace_inputs[0], trace_inputs[1], trace_inputs[2], *trace_inputs[3]))
        lg1 = traced(*trace_inputs[:3], *trace_inputs[3])[0]
        lg2 = model.run(*trace_inputs[:3], trace_inputs[3])[0]
        assert (lg1 - lg2).abs().max().item() < 1e-5

        # greedy, full recompute
        seq = list(prompt)
        greedy, margins = [], []
        for _ in range(6):
            last = run_full(model, seq)[-1]
            top2 = torch.topk(last, 2).values
            margins.append((top2[0] - top2[1]).item())
            nxt = int(torch.argmax(last))
            greedy.append(nxt)
            seq.append(nxt)

        hook_names = ['hook_embed'] + (['hook_pos_embed'] if family == 'gpt2' else [])
        for l in range(n_layer):
            hook_names.append('blocks.%d.hook_resid_pre' % l)
            if family != 'gpt_neox':
                hook_names.append('blocks.%d.hook_resid_mid' % l)
            hook_names.append('blocks.%d.hook_resid_post' % l)
        hook_names.append('ln_final.hook_normalized')
        hook_vals = {n: round6(hooks.values[n][0]) for n in hook_names}

        # --- SAE + steering --------------------------------------------------------------
        L = n_layer // 2
        hook_name = 'blocks.%d.hook_resid_post' % L
        x = hooks.values[hook_name][0]
        sae = make_sae(d_model, seed + 99, x)
        f = sae_encode(sae, x)
        active = (f > 0).sum(0)
        seq_len = len(prompt)
        cand = [(f[:, j].max().item(), j) for j in range(f.shape[1]) if 0 < active[j] < seq_len]
        if not cand:
            cand = [(f[:, j].max().item(), j) for j in range(f.shape[1])]
        j = max(cand)[1]
        fmax = f[:, j].max().item()
        c = float('%.6g' % (3.0 * fmax))
        recon_err = (x - sae_decode(sae, f)).norm() / x.norm()

        def clamp_edit(name, v):
            if name != hook_name:
                return v
            fv = sae_encode(sae, v)
            err = v - sae_decode(sae, fv)
            fc = fv.clone()
            fc[..., j] = c
            return sae_decode(sae, fc) + err

        d_j = sae['W_dec'][j] / sae['W_dec'][j].norm()

        def add_edit(name, v):
            return v + c * d_j if name == hook_name else v

        clamp_logits = run_full(model, prompt, Hooks(clamp_edit))
        add_logits = run_full(model, prompt, Hooks(add_edit))
        # identity edit through the SAE error term changes nothing
        ident = run_full(model, prompt, Hooks(lambda n, v: (sae_decode(sae, sae_encode(sae, v)) + (v - sae_decode(sae, sae_encode(sae, v)))) if n == hook_name else v))
        assert (ident - logits).abs().max().item() < 1e-4

    # --- files -----------------------------------------------------------------------------
    write_json(os.path.join(fdir, 'config.json'), cfg)
    write_json(os.path.join(fdir, 'generation_config.json'),
               {'bos_token_id': BOS, 'eos_token_id': EOS, 'do_sample': False,
                'max_length': N_CTX, '_from_model_config': True})
    write_json(os.path.join(fdir, 'tokenizer.json'), tokenizer_json())
    write_json(os.path.join(fdir, 'tokenizer_config.json'), tokenizer_config())
    if family == 'gpt2':
        sd = {k[len('transformer.'):]: v for k, v in model.state_dict().items()}
        write_safetensors(os.path.join(fdir, 'model.safetensors'), sd)
    sdir = os.path.join(fdir, 'sae')
    os.makedirs(sdir, exist_ok=True)
    write_json(os.path.join(sdir, 'cfg.json'), {
        'architecture': 'standard', 'd_in': d_model, 'd_sae': 4 * d_model,
        'hook_name': hook_name, 'hook_layer': L, 'hook_head_index': None,
        'apply_b_dec_to_input': True, 'normalize_activations': 'none', 'dtype': 'float32',
        'device': 'cpu', 'model_name': family + '-tiny', 'context_size': N_CTX,
        'prepend_bos': True})
    write_safetensors(os.path.join(sdir, 'sae_weights.safetensors'), sae)

    expected = {
        'family': family,
        'prompt_text': PROMPT_TEXT,
        'prompt': prompt,
        'logits': round6(logits),
        'hooks': hook_vals,
        'greedy': greedy,
        'greedy_min_margin': round6(min(margins)),
        'steering': {
            'hook_name': hook_name, 'hook_layer': L, 'feature': j, 'c': c,
            'feature_acts': round6(f[:, j]),
            'feature_max_act': round6(fmax),
            'clamp': {'logits': round6(clamp_logits)},
            'add': {'direction_norm': round6(sae['W_dec'][j].norm()), 'logits': round6(add_logits)},
        },
    }
    write_json(os.path.join(fdir, 'expected.json'), expected)
    io = describe_io(onnx_model)
    print('%s: kv_err=%.2e greedy=%s min_margin=%.3f feature=%d (active %d/%d, max %.4f) c=%g '
          'sae_rel_err=%.3f eos_in_greedy=%s' % (
              family, kv_err, greedy, min(margins), j, int(active[j]), seq_len, fmax, c,
              recon_err, EOS in greedy))
    return io


def main():
    os.makedirs(OUT, exist_ok=True)
    ios = {}
    only = sys.argv[sys.argv.index('--only') + 1] if '--only' in sys.argv else None
    for family, cls, cfg, seed in configs():
        if only is None or family == only:
            ios[family] = build_family(family, cls, cfg, seed)
    if '-v' in sys.argv:
        print(json.dumps(ios, indent=1))


if __name__ == '__main__':
    main()
