"""PyTorch CPU peer for the sae-train bench: one optimizer step of the same recipe (standard: ReLU + L1 weighted by
decoder norms; topk: top-k of pre·‖W_dec‖, SAELens's training form) with autograd, gradient-norm clipping to 1 and
Adam, on random activations. Prints one JSON line: {"ms_per_step": median, "tokens_per_s": ...}.

Run by bench/suites/saeTrain.ts with Debian's /usr/bin/python3 (python3-torch), 2 threads, OMP_WAIT_POLICY=PASSIVE.
"""
import argparse
import json
import statistics
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--arch", choices=["standard", "topk"], required=True)
p.add_argument("--d-in", type=int, required=True)
p.add_argument("--d-sae", type=int, required=True)
p.add_argument("--batch", type=int, required=True)
p.add_argument("--k", type=int, default=32)
p.add_argument("--b-enc", type=float, default=0.0, help="initial encoder bias (the tfjs bench's sparse-regime standard)")
p.add_argument("--steps", type=int, default=3)
p.add_argument("--warmup", type=int, default=1)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--profile", action="store_true", help="print torch.profiler's table of one step (stderr) as well")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

w_dec = torch.randn(a.d_sae, a.d_in)
w_dec = w_dec / w_dec.norm(dim=1, keepdim=True) * 0.1
W_dec = torch.nn.Parameter(w_dec.clone())
W_enc = torch.nn.Parameter(w_dec.t().clone())
b_enc = torch.nn.Parameter(torch.full((a.d_sae,), a.b_enc))
b_dec = torch.nn.Parameter(torch.zeros(a.d_in))
params = [W_enc, b_enc, W_dec, b_dec]
opt = torch.optim.Adam(params, lr=3e-4, betas=(0.9, 0.999), eps=1e-8)
x = torch.randn(a.batch, a.d_in)


def step():
    opt.zero_grad(set_to_none=True)
    pre = (x - b_dec) @ W_enc + b_enc
    norms = W_dec.norm(dim=1)
    if a.arch == "standard":
        f = torch.relu(pre)
        x_hat = f @ W_dec + b_dec
        loss = (x_hat - x).pow(2).sum(-1).mean() + 5.0 * (f * norms).sum(-1).mean()
    else:
        hidden = pre * norms
        top = torch.topk(hidden, a.k, dim=-1)
        f = torch.zeros_like(hidden).scatter(-1, top.indices, torch.relu(top.values)) / norms
        x_hat = f @ W_dec + b_dec
        loss = (x_hat - x).pow(2).sum(-1).mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    return loss.item()


for _ in range(a.warmup):
    step()
samples = []
for _ in range(a.steps):
    t0 = time.perf_counter()
    step()
    samples.append((time.perf_counter() - t0) * 1000)
if a.profile:
    import sys
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12), file=sys.stderr)
ms = statistics.median(samples)
print(json.dumps({"ms_per_step": ms, "tokens_per_s": a.batch * 1000 / ms, "torch": torch.__version__, "threads": torch.get_num_threads()}))
