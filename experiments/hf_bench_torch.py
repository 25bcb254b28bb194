"""PyTorch side of `deno task bench --parts=hf`: the same Qwen2 shapes as lib/model/hf/bench.ts.

Usage: python3 experiments/hf_bench_torch.py '{"hidden":512,"layers":8,...}'
Prints one JSON line of timings; exits 3 when torch/transformers/peft are not installed.
Random weights (not the capo file): timing does not depend on the values.
"""
import json
import sys
import time

try:
    import torch
    import transformers
    import peft
except ImportError:
    print("PyTorch not installed", file=sys.stderr)
    sys.exit(3)


def best(fn, repeats):
    """Fastest wall time after one warm-up, with the process CPU seconds of that run."""
    runs = []
    for i in range(repeats + 1):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        if i > 0:
            runs.append((time.perf_counter() - t0, time.process_time() - c0))
    return min(runs)


def main():
    a = json.loads(sys.argv[1])
    torch.manual_seed(0)
    config = transformers.Qwen2Config(
        vocab_size=a["vocab"], hidden_size=a["hidden"], num_hidden_layers=a["layers"],
        num_attention_heads=a["heads"], num_key_value_heads=a["kvHeads"],
        intermediate_size=a["intermediate"], max_position_embeddings=4096,
        tie_word_embeddings=True)
    model = transformers.Qwen2ForCausalLM(config).eval()
    ids = torch.randint(0, a["vocab"], (a["batch"], a["seqLen"]))

    def forward():
        with torch.no_grad():
            model(ids).logits.sum().item()

    forward_s, forward_cpu = best(forward, a["repeats"])
    lora = peft.get_peft_model(model, peft.LoraConfig(
        r=a["loraRank"], lora_alpha=16, target_modules=[
            "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    opt = torch.optim.Adam([p for p in lora.parameters() if p.requires_grad], lr=1e-4)

    def train_step():
        logp = torch.log_softmax(lora(ids).logits[:, :-1], -1)
        loss = -logp.gather(2, ids[:, 1:, None]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    train_s, train_cpu = best(train_step, a["repeats"])
    base = lora.merge_and_unload().eval()

    def sample(cache):
        def run():
            with torch.no_grad():
                base.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=a["newTokens"],
                              min_new_tokens=a["newTokens"], do_sample=False, use_cache=cache,
                              pad_token_id=0)
        return run

    cache_s = best(sample(True), a["repeats"])[0]
    nocache_s = best(sample(False), a["repeats"])[0]
    n = a["batch"] * a["newTokens"]
    print(json.dumps(dict(
        forwardS=forward_s, forwardCpuS=forward_cpu, trainStepCpuS=train_cpu,
        forwardTokensPerS=a["batch"] * a["seqLen"] / forward_s,
        trainStepS=train_s, sampleCacheTokensPerS=n / cache_s,
        sampleNoCacheTokensPerS=n / nocache_s, threads=torch.get_num_threads())))


if __name__ == "__main__":
    main()
