"""The learned text model: a linear classifier over hashed words of the subject, text and links.

Layout of `STATE/model/` (the state directory is trusted: whoever can write it
controls the engine's configuration anyway; nothing in it is ever unpickled):

- `weights.npz`  the classifier (coefficients, intercept, SGD step counter) and the
  calibration (Platt `a`, `b`), numeric arrays only, loaded with `allow_pickle=False`;
- `examples.npz` every learned message as hashed feature indices plus its label and a
  digest of its bytes (so learning a message again relabels it instead of counting it
  twice), capped at `MAX_EXAMPLES` by reservoir sampling;
- `meta.json`    feature version, hashing width, counts, hyper-parameters, timestamps.

Learning (`mailwarden learn`) is incremental, like sa-learn: new messages update the
stored weights with `SGDClassifier.partial_fit` (mixed with a rehearsal sample of
stored examples so that one mistake does not swing the model), and the calibration is
re-estimated every time from out-of-fold scores over all stored examples, so the
probability the scanner reports stays honest as the model moves.
"""

from __future__ import annotations

from mailwarden.model.store import MODEL_DIRNAME, ModelError, TextModel, load_model

__all__ = ["MODEL_DIRNAME", "ModelError", "TextModel", "load_model"]
