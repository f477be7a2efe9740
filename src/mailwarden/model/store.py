"""Storing and loading the learned model: numeric arrays and JSON only, never pickles."""

from __future__ import annotations

import heapq
import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mailwarden.model.features import FEATURE_VERSION, TOKEN_PATTERN

MODEL_DIRNAME = "model"
N_FEATURES = 2**18
NGRAMS = (1, 1)  # word unigrams: bigrams measured no better on a corpus split, and cost more
WEIGHTS_FILE = "weights.npz"
EXAMPLES_FILE = "examples.npz"
META_FILE = "meta.json"


class ModelError(ValueError):
    """A stored model that cannot be used (corrupt, or built for other features)."""


_VECTORIZER: Any = None


def vectorizer() -> Any:
    """The hashing vectoriser (stateless: nothing about it is stored but its width)."""
    global _VECTORIZER
    if _VECTORIZER is None:
        from sklearn.feature_extraction.text import HashingVectorizer

        _VECTORIZER = HashingVectorizer(n_features=N_FEATURES, ngram_range=NGRAMS, alternate_sign=False,
                                        binary=True, norm="l2", lowercase=False, dtype=np.float64)
    return _VECTORIZER


# Scan-time inference does what `vectorizer().transform` + a dot product do, without scikit-learn's
# per-call validation and sparse-matrix construction (most of the model's cost: about 0.8 ms per message).
# With lowercase=False, no accent stripping, no stop words and unigrams, HashingVectorizer's analyzer is
# exactly `findall` of its default token pattern; tests/test_model_fast_inference.py keeps the two equal.
_INDEX_CACHE: dict[str, int] = {}
_INDEX_CACHE_MAX = 500_000  # terms; cleared when full (a term costs one murmurhash to re-add)


def terms(doc: str) -> list[str]:
    """The terms HashingVectorizer's analyzer makes of `doc` (same token pattern, same settings)."""
    return TOKEN_PATTERN.findall(doc)


_MURMUR: Any = None


def _hash_index(term: str) -> int:
    global _MURMUR
    if _MURMUR is None:  # imported once, not by an import statement per new term
        from sklearn.utils import murmurhash3_32

        _MURMUR = murmurhash3_32
    # HashingVectorizer (alternate_sign=False): signed murmurhash3_32 with seed 0, absolute value modulo
    # n_features; INT_MIN has no absolute value in int32 and wraps like the C code does.
    h = _MURMUR(term.encode("utf-8"), 0, False)  # seed 0, signed
    if h == -2147483648:
        return (2147483647 - (N_FEATURES - 1)) % N_FEATURES
    return abs(h) % N_FEATURES


def feature_index(term: str) -> int:
    """The column HashingVectorizer puts `term` in (same murmurhash3 and folding as scikit-learn's)."""
    i = _INDEX_CACHE.get(term)
    if i is None:
        i = _hash_index(term)
        if len(_INDEX_CACHE) >= _INDEX_CACHE_MAX:
            _INDEX_CACHE.clear()
        _INDEX_CACHE[term] = i
    return i


def feature_indices(words: Iterable[str]) -> set[int]:
    """The distinct columns a document's terms fall in (binary features: collisions count once)."""
    uniq = set(words)
    cache = _INDEX_CACHE
    try:
        return {cache[t] for t in uniq}
    except KeyError:
        # Hash only the terms not yet seen, then read every column from the cache as above.
        missing = uniq.difference(cache)
        if len(cache) + len(missing) > _INDEX_CACHE_MAX:
            return {feature_index(t) for t in uniq}
        cache.update(zip(missing, map(_hash_index, missing), strict=True))
        return {cache[t] for t in uniq}


def model_dir(state_dir: str | os.PathLike[str]) -> Path:
    return Path(state_dir) / MODEL_DIRNAME


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class TextModel:
    coef: np.ndarray  # float64, shape (N_FEATURES,)
    intercept: float
    t: float  # SGD step counter, so that partial_fit continues the learning-rate schedule
    platt_a: float
    platt_b: float
    meta: dict = field(default_factory=dict)

    _gather: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def _scan_coef(self) -> np.ndarray:
        """The coefficients to sum at scan time: float32 when that holds them exactly (a stored model
        always does: it is saved as float32), so the array is half the size to pull through the cache."""
        if self._gather is None:
            c32 = self.coef.astype(np.float32)
            self._gather = c32 if np.array_equal(c32, self.coef) else self.coef
        return self._gather

    def decision(self, doc: str | Iterable[str]) -> float:
        """The classifier's decision value: what `x.dot(coef) + intercept` gives for the vectorised `doc`
        (a document string, or its terms as `terms()` / `features.document_terms()` give them).

        Binary term presence with l2 norm makes every present column worth 1/sqrt(columns present).
        """
        cols = feature_indices(terms(doc) if isinstance(doc, str) else doc)
        if not cols:
            return self.intercept
        # One gather from the dense array: a few hundred scattered reads, no Python objects touched.
        total = float(self._scan_coef()[np.fromiter(cols, dtype=np.intp, count=len(cols))].sum(dtype=np.float64))
        return total / math.sqrt(len(cols)) + self.intercept

    def probability(self, doc: str | Iterable[str]) -> float:
        """Calibrated probability that the message is phishing or fraud."""
        z = self.platt_a * self.decision(doc) + self.platt_b
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def top_terms(self, doc: str | Iterable[str], n: int = 5) -> list[str]:
        """The words of this message that pushed the score up most (for evidence)."""
        words = list(set(terms(doc) if isinstance(doc, str) else doc))
        try:  # the columns are cached when probability() just ran on the same terms
            cols = list(map(_INDEX_CACHE.__getitem__, words))
        except KeyError:
            cols = list(map(feature_index, words))
        weights = self.coef[np.array(cols, dtype=np.intp)]
        # Only positive weights are reported: ranking just those gives the same first n (nlargest is
        # sorted(..., reverse=True)[:n], ties broken by the term alike, so the pairs' order does not
        # matter); numpy picks them out, so only they become Python floats and tuples.
        pos = np.flatnonzero(weights > 0).tolist()
        return [t for _w, t in heapq.nlargest(n, zip(weights[pos].tolist(), [words[i] for i in pos], strict=True))]

    def save(self, state_dir: str | os.PathLike[str]) -> None:
        d = model_dir(state_dir)
        _atomic_write(d / WEIGHTS_FILE, lambda fh: np.savez_compressed(
            fh, coef=self.coef.astype(np.float32), intercept=np.array([self.intercept]), t=np.array([self.t]),
            platt=np.array([self.platt_a, self.platt_b])))
        meta = dict(self.meta, feature_version=FEATURE_VERSION, n_features=N_FEATURES, ngrams=list(NGRAMS))
        _atomic_write(d / META_FILE, lambda fh: fh.write(json.dumps(meta, indent=2, sort_keys=True).encode()))


def read_meta(state_dir: str | os.PathLike[str]) -> dict | None:
    path = model_dir(state_dir) / META_FILE
    if not path.exists():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable model metadata ({exc})") from exc
    if not isinstance(meta, dict):
        raise ModelError(f"{path}: model metadata is not an object")
    return meta


def _compatible(meta: dict, where: Path) -> None:
    if meta.get("feature_version") != FEATURE_VERSION or meta.get("n_features") != N_FEATURES:
        raise ModelError(f"{where}: model was built for feature version {meta.get('feature_version')} "
                         f"with {meta.get('n_features')} features; this mailwarden uses version "
                         f"{FEATURE_VERSION} with {N_FEATURES}. Train a new one with `mailwarden learn`.")


def load_model(state_dir: str | os.PathLike[str]) -> TextModel | None:
    """The trained model in `state_dir`, or None when nothing has been trained yet."""
    d = model_dir(state_dir)
    path = d / WEIGHTS_FILE
    if not path.exists():
        return None
    meta = read_meta(state_dir) or {}
    _compatible(meta, d)
    try:
        with np.load(path, allow_pickle=False) as z:
            coef = np.asarray(z["coef"], dtype=np.float64)
            intercept, t = float(z["intercept"][0]), float(z["t"][0])
            a, b = (float(v) for v in z["platt"][:2])
    except (OSError, KeyError, ValueError, IndexError) as exc:
        raise ModelError(f"{path}: unreadable model weights ({exc})") from exc
    if coef.shape != (N_FEATURES,) or not np.isfinite(coef).all() or not all(map(math.isfinite, (a, b, intercept))):
        raise ModelError(f"{path}: model weights have the wrong shape or non-finite values")
    return TextModel(coef, intercept, t, a, b, meta)


@dataclass
class Examples:
    """Every learned message as sorted hashed feature indices (binary features), label and digest."""

    rows: list[np.ndarray] = field(default_factory=list)  # int32 index arrays
    labels: list[int] = field(default_factory=list)  # 1 phish, 0 ham
    digests: list[int] = field(default_factory=list)  # uint64 digest of the message bytes

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> tuple[int, int]:
        phish = sum(self.labels)
        return phish, len(self.labels) - phish

    def matrix(self, which: np.ndarray | None = None) -> Any:
        from scipy.sparse import csr_matrix

        idx = range(len(self.rows)) if which is None else which
        rows = [self.rows[i] for i in idx]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        data = np.concatenate([np.full(len(r), 1.0 / math.sqrt(len(r)) if len(r) else 0.0, dtype=np.float64)
                               for r in rows]) if rows else np.zeros(0, dtype=np.float64)
        return csr_matrix((data, indices, indptr), shape=(len(rows), N_FEATURES))

    def save(self, state_dir: str | os.PathLike[str]) -> None:
        indptr = np.zeros(len(self.rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in self.rows], out=indptr[1:])
        indices = np.concatenate(self.rows).astype(np.int32) if self.rows else np.zeros(0, dtype=np.int32)
        _atomic_write(model_dir(state_dir) / EXAMPLES_FILE, lambda fh: np.savez_compressed(
            fh, indices=indices, indptr=indptr, labels=np.array(self.labels, dtype=np.int8),
            digests=np.array(self.digests, dtype=np.uint64)))

    @classmethod
    def load(cls, state_dir: str | os.PathLike[str]) -> Examples:
        path = model_dir(state_dir) / EXAMPLES_FILE
        if not path.exists():
            return cls()
        meta = read_meta(state_dir)
        if meta is not None:
            _compatible(meta, model_dir(state_dir))
        try:
            with np.load(path, allow_pickle=False) as z:
                indices, indptr = z["indices"], z["indptr"]
                labels, digests = z["labels"].tolist(), z["digests"].tolist()
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{path}: unreadable stored examples ({exc})") from exc
        if len(indptr) != len(labels) + 1 or len(digests) != len(labels) or (len(indices) and (
                indices.min() < 0 or indices.max() >= N_FEATURES)):
            raise ModelError(f"{path}: stored examples are inconsistent")
        rows = [np.asarray(indices[indptr[i]:indptr[i + 1]], dtype=np.int32) for i in range(len(labels))]
        return cls(rows, [int(v) for v in labels], [int(v) for v in digests])
