"""Comment themes at scale: coding, the theme table, quotes and discovery.

Comments are drawn (with replacement, seeded) from the simulator's phrase
banks and the hand-labelled corpus, with a random client number appended to
each so that no two texts are equal and the per-text cache does not help:
what is timed is reading every comment (tokenising, pymorphy3 / Snowball,
matching the codebook, polarity).  Median of 3 after one warm-up run
(which loads the dictionaries), one process.

Target (issue #7 gives none; ours): an agency's wave (≤ 1,000 comments)
coded, summarised and quoted in under 2 s, so the wave report stays
interactive; 100,000 comments (a consumer brand's year) coded in under
2 minutes.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxlab import text as cxtext  # noqa: E402
from cxlab.simulate.answers import _EXTRA_PHRASES, _PHRASES  # noqa: E402
from cxlab.text.themes import _READERS  # noqa: E402


def phrases() -> list[str]:
    out = [
        p
        for bank in (_PHRASES, _EXTRA_PHRASES)
        for attr in bank.values()
        for pol in attr.values()
        for lang in pol.values()
        for p in lang
    ]
    corpus = yaml.safe_load((ROOT / "tests" / "text" / "labelled_comments.yaml").read_text(encoding="utf-8"))
    return out + [c["text"] for c in corpus]


def comments(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bank = phrases()
    first = rng.integers(0, len(bank), n)
    second = rng.integers(0, len(bank), n)
    two = rng.random(n) < 0.4
    text = [f"{bank[a]} {bank[b]}" if t else bank[a] for a, b, t in zip(first, second, two)]
    text = [f"{t} (клиент {i})" for i, t in enumerate(text)]
    return pd.DataFrame(
        {"comment": text, "nps": rng.integers(0, 11, n).astype(float), "wave_id": rng.choice(["2026-Q2", "2026-Q3"], n)}
    )


def timed(fn, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        for reader in _READERS.values():
            reader.cache.clear()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    cxtext.code_themes(comments(50))  # warm-up: dictionaries and codebook
    print("Comment themes (cxlab.text), median of 3:")
    for n in (1_000, 10_000, 100_000):
        frame = comments(n)
        repeat = 3 if n <= 10_000 else 1
        t_code, coded = timed(lambda: cxtext.code_themes(frame), repeat)
        line = f"  {n:>7,} comments: code_themes {t_code:6.2f} s ({n / t_code:,.0f} comments/s)"
        if n == 1_000:
            t_sum, summary = timed(lambda: cxtext.theme_summary(coded, min_n=10))
            t_q, _ = timed(lambda: [cxtext.representative_quotes(coded, t, k=3) for t in summary["theme"]])
            t_d, _ = timed(lambda: cxtext.discover_themes(coded[["text"]]))
            total = t_code + t_sum + t_q + t_d
            line += (
                f"; theme_summary {t_sum:.2f} s; quotes for 10 themes {t_q:.2f} s; discovery {t_d:.2f} s; "
                f"together {total:.2f} s (target < 2 s: {'met' if total < 2 else 'MISSED'})"
            )
        if n == 100_000:
            for reader in _READERS.values():
                reader.cache.clear()
            tracemalloc.start()
            cxtext.code_themes(frame)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            line += f"; peak {peak:,.0f} MB (target < 2 min: {'met' if t_code < 120 else 'MISSED'})"
        print(line, flush=True)


if __name__ == "__main__":
    main()
