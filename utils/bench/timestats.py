"""The statistics of the timing benchmarks: a build's time is the median of
its samples, and a ratio of two builds' medians comes with a 95% bootstrap
interval (each build's samples resampled with replacement, 2,000 times,
from a fixed seed: the same samples give the same interval)."""
import random
import statistics


def median_ratio(samples, ref):
    """(ratio, low, high) of median(samples) / median(ref)."""
    boot = random.Random(2)
    ratios = []
    for _ in range(2000):
        s = [boot.choice(samples) for _ in samples]
        r = [boot.choice(ref) for _ in ref]
        ratios.append(statistics.median(s) / statistics.median(r))
    ratios.sort()
    return (statistics.median(samples) / statistics.median(ref),
            ratios[int(0.025 * len(ratios))],
            ratios[int(0.975 * len(ratios)) - 1])
