#!/usr/bin/python3
"""Side-by-side table of a bench/peers/run.sh output folder: VkResNet vs PyTorch and ONNX Runtime per measure.

Per measure and round: VkResNet's p50 step time (vkresnet bench --json), PyTorch's (torch_peer.py) and, for
ResNet-18/50 inference, ONNX Runtime's (OnnxPeer); the table gives the median over rounds of each and the
median of the per-round ratios VkResNet / peer (above 1: VkResNet is slower). Rounds ran back to back, so a
ratio compares runs under the same load.
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
ORT_GOALS = {"resnet18-infer-b1": "<= 5 (issue 13)"}


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
    ort_any = next((json.load(open(f)) for f in sorted(glob.glob(os.path.join(folder, "ort-*.json")))), None)
    if pt_any:
        print(f"peer: PyTorch {pt_any['torch']} CPU, {pt_any['threads']} threads, eager (BN not folded)")
    if ort_any:
        print(f"peer: ONNX Runtime {ort_any['onnxruntime']} {ort_any['provider']}, {ort_any['threads']} intra-op threads, "
              "torchvision export (opset 13), all graph optimisations")
    print(f"load average (1/5/15 min): start {load('load-start.txt')}, end {load('load-end.txt')}; {os.cpu_count()} cores")
    print()
    print("| measure | rounds | VkResNet p50 ms | PyTorch p50 ms | VkResNet / PyTorch | per-round ratios | VkResNet % of peak | goal "
          "| ONNX Runtime p50 ms | VkResNet / ONNX Runtime | goal vs ONNX Runtime |")
    print("|---|---:|---:|---:|---:|---|---:|---|---:|---:|---|")
    for name in names:
        vk_ms, pt_ms, ratios, shares, ort_ms, ort_ratios = [], [], [], [], [], []
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
            ort_file = os.path.join(folder, f"ort-{name}-r{r}.json")
            ort = json.load(open(ort_file))["msP50"] if os.path.exists(ort_file) else None
            if ort is not None:
                ort_ms.append(ort)
            if m:
                vk_ms.append(m["msP50"])
                shares.append(m["shareOfPeak"])
                ratios.append(m["msP50"] / pt)
                if ort is not None:
                    ort_ratios.append(m["msP50"] / ort)
            r += 1
        if not pt_ms:
            continue
        med = lambda xs, f="{:.1f}": f.format(statistics.median(xs)) if xs else "-"
        print(f"| {name} | {len(pt_ms)} | {med(vk_ms)} | {med(pt_ms)} | {med(ratios, '{:.2f}')} | "
              f"{', '.join(f'{x:.2f}' for x in ratios)} | {med([100 * s for s in shares], '{:.0f}%')} | {GOALS.get(name, '')} | "
              f"{med(ort_ms)} | {med(ort_ratios, '{:.2f}')} | {ORT_GOALS.get(name, '')} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
