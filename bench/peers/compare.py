#!/usr/bin/python3
"""Side-by-side table of a bench/peers/run.sh output folder: VkResNet vs PyTorch per measure.

Per measure and round: VkResNet's p50 step time (vkresnet bench --json) and PyTorch's (torch_peer.py);
the table gives the median over rounds of each and the median of the per-round ratios VkResNet / PyTorch
(above 1: VkResNet is slower). Rounds ran back to back, so a ratio compares two runs under the same load.
"""
import glob
import json
import os
import statistics
import sys

GOALS = {  # bench/README.md: goals from issues 3 and 8
    "resnet18-infer-b1": "VkResNet <= 100 ms",
    "resnet50-infer-b1": "VkResNet <= 250 ms",
    "resnet20-train-b128": "ratio <= 3",
}


def vk_measure(report, name):
    model, mode, batch = name.split("-")
    model = "cifar-resnet20" if model == "resnet20" else model
    mode = "training" if mode == "train" else "inference"
    for m in report["results"]:
        if m["model"] == model and m["mode"] == mode and m["batch"] == int(batch[1:]):
            return m
    return None


def main(folder):
    names = ["resnet18-infer-b1", "resnet50-infer-b1", "resnet20-train-b128", "resnet20-infer-b128"]
    vk_files = sorted(glob.glob(os.path.join(folder, "vk-*.json")))
    reports = {os.path.basename(f): json.load(open(f)) for f in vk_files}
    any_vk = next(iter(reports.values()), None)
    pt_any = next((json.load(open(f)) for f in sorted(glob.glob(os.path.join(folder, "pt-*.json")))), None)
    load = lambda f: open(os.path.join(folder, f)).read().strip() if os.path.exists(os.path.join(folder, f)) else "n/a"
    if any_vk:
        d = any_vk["device"]
        print(f"device: {d['name']} ({d['vendor']}, driver {d['driverName']} {d['driverVersion']}, Vulkan {d['apiVersion']}); "
              f"commit {any_vk['commit']}")
        peaks = [r["peakVec4Gflops"] for r in reports.values()]
        print(f"VkResNet peak (vec4 FMA, per run): median {statistics.median(peaks):.1f} GFLOP/s, range {min(peaks):.1f}-{max(peaks):.1f}")
    if pt_any:
        print(f"peer: PyTorch {pt_any['torch']} CPU, {pt_any['threads']} threads, eager (BN not folded)")
    print(f"load average (1/5/15 min): start {load('load-start.txt')}, end {load('load-end.txt')}; {os.cpu_count()} cores")
    print()
    print("| measure | rounds | VkResNet p50 ms | PyTorch p50 ms | VkResNet / PyTorch | per-round ratios | VkResNet % of peak | goal |")
    print("|---|---:|---:|---:|---:|---|---:|---|")
    for name in names:
        vk_ms, pt_ms, ratios, shares = [], [], [], []
        r = 1
        while True:
            pt_file = os.path.join(folder, f"pt-{name}-r{r}.json")
            if not os.path.exists(pt_file):
                break
            pt = json.load(open(pt_file))["msP50"]
            vk_src = "resnet20-train-b128" if name == "resnet20-infer-b128" else name
            rep = reports.get(f"vk-{vk_src}-r{r}.json")
            m = vk_measure(rep, name) if rep else None
            pt_ms.append(pt)
            if m:
                vk_ms.append(m["msP50"])
                shares.append(m["shareOfPeak"])
                ratios.append(m["msP50"] / pt)
            r += 1
        if not pt_ms:
            continue
        med = lambda xs, f="{:.1f}": f.format(statistics.median(xs)) if xs else "-"
        print(f"| {name} | {len(pt_ms)} | {med(vk_ms)} | {med(pt_ms)} | {med(ratios, '{:.2f}')} | "
              f"{', '.join(f'{x:.2f}' for x in ratios)} | {med([100 * s for s in shares], '{:.0f}%')} | {GOALS.get(name, '')} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
