"""Routing throughput against the notebook baseline, measured in the same run.

    .venv/bin/python benchmarks/bench_routing.py [--data PATH] [--repeat N]

Baseline (what a typical notebook does): lower-case + regex clean + Sastrawi StopWordRemover +
``stemmer.stem()`` per document + TF-IDF + LinearSVC. Ours: the full lapor-triage pipeline
(cleaning, PII masking, tokens, slang, stop words, cached stemming, word+char TF-IDF, router with
area resolution, calibrated top-k and explanations). Both are trained on the first 75 % of the
complaints (by time) and timed on the rest, as a deployed model meets new complaints:
- cold: a fresh process's state (the baseline's stemmer cache is empty; ours keeps only what the
  model artifact carries: the stems of its training vocabulary);
- warm: the same rows again;
- batch: ``lapor-triage predict`` end to end (CSV in, CSV out) with 1 and 2 worker processes.
Prints complaints/s, the ratios, training time, peak memory and model sizes.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import sys
import time
from pathlib import Path

import tempfile

import joblib
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.artifacts import save_bundle  # noqa: E402
from pipeline.batch import run_batch  # noqa: E402
from pipeline.columns import InputColumns  # noqa: E402
from pipeline.model import TriageModel  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "surabaya" / "complaints_2022.csv"


def load(path: Path) -> pd.DataFrame:
    if not path.is_file():
        demo = REPO / "pipeline" / "tenants" / "selayar" / "complaints.csv"
        print(f"note: {path} not found; benchmarking on the demo tenant ({demo}) instead", file=sys.stderr)
        path = demo
    return pd.read_csv(path, dtype=str, keep_default_na=False)


class NotebookBaseline:
    def fit(self, texts, labels):
        from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self.stop = StopWordRemoverFactory().create_stop_word_remover()
        self.stemmer = StemmerFactory().create_stemmer()
        self.tfidf = TfidfVectorizer()
        self.svm = LinearSVC().fit(self.tfidf.fit_transform(self.prep(texts)), labels)
        return self

    def prep(self, texts):
        out = []
        for t in texts:
            t = re.sub(r"[^a-z\s]", " ", t.lower())
            out.append(self.stemmer.stem(self.stop.remove(t)))
        return out

    def predict(self, texts):
        return self.svm.predict(self.tfidf.transform(self.prep(texts)))


def _fresh_process_state() -> None:
    """Forget what this process has cached, as a newly started ``lapor-triage predict`` would."""
    from pipeline import artifacts
    from pipeline.text import tokens

    tokens.stem_cache_clear()
    tokens.collapse_elongation.cache_clear()
    artifacts._CACHE.clear()


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def size_of(obj) -> int:
    buf = io.BytesIO()
    joblib.dump(obj, buf, compress=3)
    return buf.tell()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=1, help="times the rows are repeated for timing")
    args = ap.parse_args()

    from pipeline.routing.router import OpdRouter

    df = load(args.data)
    cut = df["created_at"].sort_values().iloc[int(len(df) * 0.75)]
    train = df[df["created_at"] < cut]
    rows = pd.concat([df[df["created_at"] >= cut]] * args.repeat, ignore_index=True)
    texts = rows["text"].tolist()
    n = len(rows)

    base_fit_s, base = timed(NotebookBaseline().fit, train["text"].tolist(), train["opd"].tolist())
    base.stemmer.cache.data.clear()  # a fresh process: the notebook does not save its stem cache
    base_cold_s, _ = timed(base.predict, texts)
    base_warm_s, _ = timed(base.predict, texts)

    ours_fit_s, router = timed(OpdRouter().fit, train, train["opd"])
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        save_bundle(model_dir, {"router": router}, {"kind": "router"})
        _fresh_process_state()
        model = TriageModel.load(model_dir)
        ours_cold_s, _ = timed(model.predict_records, rows)
        ours_warm_s, _ = timed(model.predict_records, rows)
        src = Path(tmp) / "in.csv"
        rows.to_csv(src, index=False)
        batch = {}
        for workers in (1, 2):
            _fresh_process_state()
            batch[workers], _ = timed(lambda w=workers: run_batch(
                src, Path(tmp) / f"out{w}.csv", InputColumns(), model.predict_records, model.output_spec,
                chunk_size=250, progress=False, workers=w))
        model_mb = (model_dir / "router.joblib").stat().st_size / 2**20
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    report = {
        "rows_timed": n,
        "train_rows": len(train),
        "baseline": {"fit_s": round(base_fit_s, 2), "cold_per_s": round(n / base_cold_s), "warm_per_s": round(n / base_warm_s),
                     "model_mb": round(size_of(base.svm) / 2**20 + size_of(base.tfidf) / 2**20, 2)},
        "lapor_triage": {"fit_s": round(ours_fit_s, 2), "cold_per_s": round(n / ours_cold_s), "warm_per_s": round(n / ours_warm_s),
                         "batch_cli_1_worker_per_s": round(n / batch[1]), "batch_cli_2_workers_per_s": round(n / batch[2]),
                         "model_mb": round(model_mb, 2)},
        "ratio_cold": round(base_cold_s / ours_cold_s, 2),
        "ratio_warm": round(base_warm_s / ours_warm_s, 2),
        "ratio_batch_2_workers_vs_baseline_cold": round(base_cold_s / batch[2], 2),
        "peak_rss_mb": round(peak_mb),
    }
    print(json.dumps(report, indent=2))
    print(f"lapor-triage predict throughput vs notebook baseline: {report['ratio_cold']}x cold, "
          f"{report['ratio_warm']}x warm, {report['ratio_batch_2_workers_vs_baseline_cold']}x as a 2-worker batch "
          f"vs the baseline cold (target >= 2x)")


if __name__ == "__main__":
    main()
