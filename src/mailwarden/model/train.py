"""Training and incremental updates of the text model (`mailwarden learn`)."""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mailwarden.message import Message
from mailwarden.model.features import document
from mailwarden.model.store import Examples, TextModel, load_model, read_meta, vectorizer

ALPHA = 1e-5  # L2 strength; measured on a split of the development corpus (flat between 1e-6 and 1e-4)
EPOCHS = 20  # passes for a full fit
REHEARSAL = 4  # stored examples replayed per new example during an incremental update
REPEAT_NEW = 3  # passes over the new examples during an incremental update
FOLDS = 3  # out-of-fold calibration
MIN_PER_CLASS = 20  # below this the model is not written: it would be noise
MAX_EXAMPLES = 50_000  # stored examples, reservoir-sampled beyond
CALIBRATION_SAMPLE = 20_000


@dataclass
class LearnReport:
    learned_phish: int = 0
    learned_ham: int = 0
    relabelled: int = 0
    unchanged: int = 0
    total_phish: int = 0
    total_ham: int = 0
    mode: str = "none"  # "full", "incremental", "waiting" (too few examples), "none"
    calibration: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def digest(raw: bytes) -> int:
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big")


def indices_for(msg: Message) -> np.ndarray:
    x = vectorizer().transform([document(msg)])
    return np.sort(x.indices.astype(np.int32))


def _classifier(seed: int = 0) -> Any:
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=ALPHA, max_iter=EPOCHS, tol=None, random_state=seed)


def _full_fit(X: Any, y: np.ndarray, seed: int = 0) -> Any:
    clf = _classifier(seed)
    clf.fit(X, y)
    return clf


def _resume(model: TextModel) -> Any:
    """An SGDClassifier that continues from stored weights (partial_fit keeps coef_ when it exists)."""
    clf = _classifier()
    clf.classes_ = np.array([0, 1])
    clf.coef_ = model.coef.reshape(1, -1).copy()
    clf.intercept_ = np.array([model.intercept])
    clf.t_ = model.t
    clf.n_features_in_ = model.coef.shape[0]
    return clf


def _calibrate(examples: Examples, seed: int = 0) -> tuple[float, float, dict]:
    """Platt scaling fitted on out-of-fold decision values over the stored examples."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    n = len(examples)
    order = np.arange(n)
    if n > CALIBRATION_SAMPLE:
        order = np.sort(np.random.default_rng(seed).choice(n, CALIBRATION_SAMPLE, replace=False))
    X = examples.matrix(order)
    y = np.array([examples.labels[i] for i in order])
    oof = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=min(FOLDS, int(min(y.sum(), len(y) - y.sum()))), shuffle=True,
                            random_state=seed)
    for train, test in folds.split(X, y):
        oof[test] = _full_fit(X[train], y[train], seed).decision_function(X[test])
    platt = LogisticRegression(C=1.0).fit(oof.reshape(-1, 1), y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    # A non-positive slope means the folds could not separate anything; fall back to a flat, uncertain map.
    if not np.isfinite(a) or a <= 0:
        a, b = 1e-3, 0.0
    p = platt.predict_proba(oof.reshape(-1, 1))[:, 1]
    stats = {"a": round(a, 4), "b": round(b, 4), "n": int(len(y)),
             "oof_auc": _auc(oof, y), "brier": round(float(np.mean((p - y) ** 2)), 4)}
    return a, b, stats


def _auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y == 1], scores[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = np.argsort(np.argsort(np.concatenate([pos, neg]))) + 1
    return round(float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))), 4)


def learn(state_dir: str | os.PathLike[str], items: Iterable[tuple[bytes, int]], *, rebuild: bool = False,
          seed: int = 0) -> LearnReport:
    """Add labelled messages (raw bytes, 1 phish / 0 ham) to the model in `state_dir` and update it."""
    t0 = time.monotonic()
    report = LearnReport()
    examples = Examples.load(state_dir)
    model = None if rebuild else load_model(state_dir)
    meta = read_meta(state_dir) or {}
    where = {d: i for i, d in enumerate(examples.digests)}
    new_rows: list[np.ndarray] = []
    new_labels: list[int] = []
    rng = random.Random(seed + len(examples))
    for raw, label in items:
        key = digest(raw)
        if key in where:
            i = where[key]
            if examples.labels[i] == label:
                report.unchanged += 1
                continue
            examples.labels[i] = label  # a correction: the same message, judged again
            report.relabelled += 1
            row = examples.rows[i]
        else:
            row = indices_for(Message.parse(raw))
            if len(examples) < MAX_EXAMPLES:
                where[key] = len(examples)
                examples.rows.append(row)
                examples.labels.append(label)
                examples.digests.append(key)
            else:  # reservoir: every message learned so far has the same chance to stay
                j = rng.randrange(int(meta.get("seen", len(examples))) + len(new_rows) + 1)
                if j < MAX_EXAMPLES:
                    del where[examples.digests[j]]
                    examples.rows[j], examples.labels[j], examples.digests[j] = row, label, key
                    where[key] = j
        new_rows.append(row)
        new_labels.append(label)
        if label:
            report.learned_phish += 1
        else:
            report.learned_ham += 1
    report.total_phish, report.total_ham = examples.counts()
    changed = bool(new_rows) or rebuild
    if changed:
        examples.save(state_dir)
    if min(report.total_phish, report.total_ham) < MIN_PER_CLASS:
        report.mode = "waiting"
        report.seconds = round(time.monotonic() - t0, 3)
        return report
    if not changed and model is not None:
        report.mode = "none"
        report.seconds = round(time.monotonic() - t0, 3)
        return report
    if model is None:
        report.mode = "full"
        clf = _full_fit(examples.matrix(), np.array(examples.labels), seed)
    else:
        report.mode = "incremental"
        clf = _resume(model)
        batch = _incremental_batch(examples, new_rows, new_labels, rng)
        for start in range(0, len(batch[1]), 256):
            clf.partial_fit(batch[0][start:start + 256], batch[1][start:start + 256], classes=np.array([0, 1]))
    a, b, stats = _calibrate(examples, seed)
    report.calibration = stats
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    new_meta = {"trained_at": now, "created_at": meta.get("created_at", now), "phish": report.total_phish,
                "ham": report.total_ham, "seen": int(meta.get("seen", 0)) + len(new_rows), "alpha": ALPHA,
                "calibration": stats, "updates": int(meta.get("updates", 0)) + 1, "last_mode": report.mode}
    TextModel(clf.coef_[0].astype(np.float64), float(clf.intercept_[0]), float(clf.t_), a, b, new_meta).save(
        state_dir)
    report.seconds = round(time.monotonic() - t0, 3)
    return report


def _incremental_batch(examples: Examples, rows: list[np.ndarray], labels: list[int],
                       rng: random.Random) -> tuple[Any, np.ndarray]:
    """New examples several times, mixed with a rehearsal sample of stored ones, shuffled."""
    new_ex = Examples(list(rows) * REPEAT_NEW, list(labels) * REPEAT_NEW, [0] * (len(rows) * REPEAT_NEW))
    k = min(len(examples), max(200, REHEARSAL * len(rows)))
    picks = rng.sample(range(len(examples)), k)
    mixed = Examples(new_ex.rows + [examples.rows[i] for i in picks],
                     new_ex.labels + [examples.labels[i] for i in picks], [])
    order = list(range(len(mixed.labels)))
    rng.shuffle(order)
    return mixed.matrix(np.array(order)), np.array([mixed.labels[i] for i in order])
