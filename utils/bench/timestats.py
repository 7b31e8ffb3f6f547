"""The statistics of the timing benchmarks. A build's time is the median
of its samples. Samples come in groups, one per copy of the binary (a file
of its own): on the VM measured here, copies of one file run a few percent
apart (where the page cache puts a copy decides which cache sets its code
meets), so the copies, not the runs, are the independent units. A ratio of
two builds' medians comes with a 95% interval from a two-level bootstrap:
copies resampled with replacement, then runs within each chosen copy,
2,000 times, from a fixed seed (the same samples give the same interval).
A flat list of samples is one group."""
import random
import statistics


def groups_of(samples):
    """[[...], ...] as it is; a flat list as one group."""
    if samples and isinstance(samples[0], list):
        return samples
    return [samples]


def flat(samples):
    return [x for g in groups_of(samples) for x in g]


def median_of(samples):
    return statistics.median(flat(samples))


def _resample(rng, groups):
    out = []
    for _ in groups:
        g = rng.choice(groups)
        out.extend(rng.choice(g) for _ in g)
    return out


def median_ratio(samples, ref):
    """(ratio, low, high) of median(samples) / median(ref)."""
    rng = random.Random(2)
    gs, gr = groups_of(samples), groups_of(ref)
    ratios = sorted(statistics.median(_resample(rng, gs)) /
                    statistics.median(_resample(rng, gr))
                    for _ in range(2000))
    return (median_of(samples) / median_of(ref),
            ratios[int(0.025 * len(ratios))],
            ratios[int(0.975 * len(ratios)) - 1])


def noise(again, ref, floor=0.02):
    """How far from 1 a ratio may lie and still be noise: the reference
    timed again (copies of its own) shows it, by its ratio and its
    interval's reach, and never less than \\p floor."""
    ratio, low, high = median_ratio(again, ref)
    return max(floor, abs(ratio - 1), 1 - low, high - 1)


def judge(ratio, low, high, noise_level):
    """('no worse beyond noise' or 'slower beyond noise', and whether the
    interval lies wholly below or above 1: '', 'faster' or 'slower')."""
    word = ("no worse beyond noise" if ratio <= 1 + noise_level
            else "slower beyond noise")
    side = "faster" if high < 1 else "slower" if low > 1 else ""
    return word, side
