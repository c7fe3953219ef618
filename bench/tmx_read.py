"""TMX reading benchmark: throughput and peak memory of the TMX reader against the TSV reader on
the same pairs.

    .venv/bin/python bench/tmx_read.py              # 100 MB of TMX (and the TSV of its pairs)
    .venv/bin/python bench/tmx_read.py --mb 20      # a quicker look

It writes ``pairs.tmx`` (TMX 1.4, en-US and de-DE units with a ``<ph>`` code and a ``<hi>`` span
in each target, one unit in 100 without German) and ``pairs.tsv`` with the same pairs into a
temporary folder, then reads each file with ``core.data.corpus.iter_raw_pairs`` (raw pairs, no
tokenization: the tokenizer costs the same for both) in a fresh subprocess, alternating TSV, TMX,
TSV, TMX, and reports MB/s of the file and the subprocess's peak RSS. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
WORDS = (
    "the a cat dog house garden coffee woman man drinks sees today green small old".split()  # noqa: SIM905
)

READ = """
import json, resource, sys, time
from core.data.corpus import CorpusSpec, iter_raw_pairs
path = sys.argv[1]
spec = (CorpusSpec(tmx_path=path, tmx_src_lang="en", tmx_tgt_lang="de") if path.endswith(".tmx")
        else CorpusSpec(tsv_path=path))
start = time.perf_counter()
n = sum(1 for _ in iter_raw_pairs(spec))
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"pairs": n, "seconds": seconds, "peak_rss_mb": peak_mb}))
"""


def write_files(folder: Path, mb: float, seed: int = 1) -> tuple[Path, Path, int]:
    """The TMX file (about ``mb`` MB) and the TSV file of the same pairs."""
    rng = random.Random(seed)
    tmx, tsv = folder / "pairs.tmx", folder / "pairs.tsv"
    n = 0
    with open(tmx, "w", encoding="utf-8") as t, open(tsv, "w", encoding="utf-8") as s:
        t.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n')
        t.write('<tmx version="1.4"><header srclang="en-US" segtype="sentence"/><body>\n')
        while t.tell() < mb * 1e6:
            src = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30)))
            tgt = " ".join(w.upper() for w in reversed(src.split()))
            n += 1
            en = f'<tuv xml:lang="en-US"><seg>{escape(src)}</seg></tuv>'
            if n % 100 == 0:
                t.write(f"<tu>{en}</tu>\n")
                continue
            head, _, rest = tgt.partition(" ")
            seg = f'<hi>{head}</hi> {rest}<ph x="1">&lt;br/&gt;</ph>'
            de = f'<tuv xml:lang="de-DE"><seg>{seg}</seg></tuv>'
            t.write(f"<tu>{en}{de}</tu>\n")
            s.write(f"{src}\t{tgt}\n")
        t.write("</body></tmx>\n")
    return tmx, tsv, n


def read_once(path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", READ, str(path)], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["mb_per_s"] = path.stat().st_size / 1e6 / result["seconds"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=100.0, help="size of the TMX file in MB")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="attnscope-tmx-bench-") as tmp:
        tmx, tsv, units = write_files(Path(tmp), args.mb)
        sizes = {"tsv": tsv.stat().st_size / 1e6, "tmx": tmx.stat().st_size / 1e6}
        print(f"{units:,} units: TMX {sizes['tmx']:.1f} MB, TSV {sizes['tsv']:.1f} MB")
        runs: dict[str, list[dict]] = {"tsv": [], "tmx": []}
        for _ in range(args.rounds):
            for kind, path in (("tsv", tsv), ("tmx", tmx)):
                r = read_once(path)
                runs[kind].append(r)
                print(
                    f"{kind}: {r['pairs']:,} pairs in {r['seconds']:.2f} s = "
                    f"{r['mb_per_s']:.1f} MB/s, {r['pairs'] / r['seconds']:,.0f} pairs/s, "
                    f"peak RSS {r['peak_rss_mb']:.0f} MB",
                    flush=True,
                )
    with open("/proc/loadavg", encoding="ascii") as f:
        load = f.read().split()[:3]
    print(json.dumps({"units": units, "sizes_mb": sizes, "runs": runs, "loadavg": load}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
