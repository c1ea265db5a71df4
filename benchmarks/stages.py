"""Where the time goes: one in-process run of each side, split by stage (used by ``bench_backlog.py``).

Stages of lapor-triage: read (chunks, standardised columns), clean (the Document: decode + PII mask),
features (tokens, slang, stop words, stems, word + char TF-IDF), model (linear scores + softmax), area
resolution (top-k with area offices), explanation (terms and the complaint's own words for them), screening,
write (records → the batch runner's partial-file JSON lines and CSV body). Ours runs its chunks as
``predict`` does: after the model's warm-up, with the cyclic collector paused (``pipeline.gcpause``).
Stages of the baseline: read, clean (lower-case, regex, stop words), stem, features (TF-IDF), model,
write. Both start from a fresh process state (empty stem caches beyond what a model carries).
"""

from __future__ import annotations

import io
import re
import time
from contextlib import contextmanager
from pathlib import Path

import joblib
import pandas as pd


class Clock:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def ours(model_dir: Path, src: Path) -> dict[str, float]:
    from pipeline.batch.spec import Layout
    from pipeline.columns import InputColumns
    from pipeline.gcpause import after_chunk, paused_gc
    from pipeline.io import read_chunks
    from pipeline.model import TriageModel
    from pipeline.text import tokens
    from pipeline.writers import OutputFormat

    tokens.stem_cache_clear()
    clock = Clock()
    model = TriageModel.load(model_dir)
    columns = InputColumns()
    with clock("read"):
        chunks = [columns.standardise(c) for c in read_chunks(src, chunk_size=2000)]
    layout = Layout.of(model.output_spec)
    model.warm()  # as ``predict`` does before its chunks
    with paused_gc():  # and with the collector paused as ``predict`` runs them (pipeline/gcpause.py)
        for chunk in chunks:
            _our_chunk(clock, chunk, model, layout, OutputFormat("csv"))
            after_chunk()
    return clock.seconds


def _our_chunk(clock: Clock, chunk: pd.DataFrame, model, layout, fmt) -> None:
    from pipeline.batch.chunks import encode
    from pipeline.batch.output import chunk_csv
    from pipeline.document import Document
    from pipeline.routing.calibration import softmax
    from pipeline.routing.explain import surface_words
    from pipeline.routing.frame import as_frame
    from pipeline.triage.records import routing_record, screening_record

    router, screener = model.router, model.screener
    df = as_frame(chunk)
    with clock("clean"):
        docs = [Document(t) for t in df["text"]]
        for d in docs:
            d.cleaned
    with clock("features"):
        Xf = router._features(docs).tocsr()
    with clock("model"):
        scores = router._decision(Xf)
        softmax(scores, router.temperature_)
    t0 = time.perf_counter()
    router._routings(df, scores, explain=False, docs=docs)
    t1 = time.perf_counter()
    routings = router._routings(df, scores, explain=True, Xf=Xf, docs=docs)
    for r, d in zip(routings, docs):  # the complaint's own words for its terms, as the triage core adds them
        if r.terms:
            r.words = surface_words(d, r.terms)
    t2 = time.perf_counter()
    clock.seconds["area resolution"] = clock.seconds.get("area resolution", 0.0) + (t1 - t0)
    clock.seconds["explanation"] = clock.seconds.get("explanation", 0.0) + (t2 - t1) - (t1 - t0)
    with clock("screening"):
        screened = screener.screen(docs) if screener is not None else [None] * len(docs)
    with clock("write"):  # the batch runner's own encoding: partial-file JSON lines and the CSV body
        records = [{"id": i, **routing_record(r, model.version), **(screening_record(s) if s else {}), "error": ""}
                   for i, r, s in zip(chunk["id"], routings, screened)]
        encode(records, lambda rs: chunk_csv(rs, layout, fmt))


def baseline(model_path: Path, src: Path) -> dict[str, float]:
    clock = Clock()
    model = joblib.load(model_path)
    with clock("read"):
        df = pd.read_csv(src, dtype=str, keep_default_na=False)
    texts = df["text"].tolist()
    with clock("clean"):
        cleaned = [model.stop.remove(re.sub(r"[^a-z\s]", " ", t.lower())) for t in texts]
    with clock("stem"):
        stemmed = [model.stemmer.stem(t) for t in cleaned]
    with clock("features"):
        X = model.tfidf.transform(stemmed)
    with clock("model"):
        pred = model.svm.predict(X)
    with clock("write"):
        pd.DataFrame({"id": df["id"], "opd": pred}).to_csv(io.StringIO(), index=False)
    return clock.seconds


STAGES = ["read", "clean", "stem", "features", "model", "area resolution", "explanation", "screening", "write"]


def stage_table(model_dir: Path, base_path: Path, src: Path) -> dict[str, tuple[float | None, float | None]]:
    """stage → (lapor-triage seconds, baseline seconds); ``None`` where a side has no such stage."""
    ours_s, base_s = ours(model_dir, src), baseline(base_path, src)
    table = {name: (round(ours_s[name], 2) if name in ours_s else None,
                    round(base_s[name], 2) if name in base_s else None) for name in STAGES}
    table["total"] = (round(sum(ours_s.values()), 2), round(sum(base_s.values()), 2))
    return table
