"""The scanner scores the learned model without scikit-learn; it must say exactly what scikit-learn says.

Training stays with scikit-learn (HashingVectorizer + SGDClassifier + Platt scaling). At scan time the
model analyzer hashes the terms itself and sums the stored weights. These tests keep the two paths from
drifting apart: same terms, same columns, same decision value and the same calibrated probability as
scikit-learn's own `decision_function` / `predict_proba`.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from mailwarden.message import Message
from mailwarden.model import load_model
from mailwarden.model.features import document, document_terms
from mailwarden.model.store import feature_index, terms, vectorizer
from mailwarden.model.train import _resume, learn

from conftest import make_message, shared_path

PHISH = ["Your account has been suspended, verify your identity now.",
         "Unusual sign-in activity: confirm your password within 24 hours.",
         "Payment declined. Update your billing details to avoid closure.",
         "Your mailbox is full; click below to upgrade storage."]
HAM = ["The meeting moved to room 4 after lunch.", "I pushed the scheduler fix, can you review it?",
       "Photos from the trip are in the shared album.", "Draft of the quarterly report attached."]

# Messages written to exercise every branch of the feature extraction: non-ASCII text (accents,
# Cyrillic lookalikes, CJK, fullwidth digits), digit runs inside words, recipient names, addresses,
# anonymisation marks, quoted replies, signatures, list footers, links with hyphens, punycode, IPs,
# ports and userinfo in the host, HTML-only bodies, and empty ones.
TRICKY = [
    ({"Subject": "Nеw rесоrd for ACCT-00123 ✓", "To": "Alexander Smith <alexander.smith@example.org>"},
     "Dear alexander.smith,\nYour rесоrd 2024-11-05 is ready: https://my-bank.secure-login.example:8443/a/b-c?x=1\n"
     "Contact phishing@pot or rodrigo-f-p for help.\n> old quoted line with verify\nOn Mon, Bob wrote:\n"
     "-- \nsignature words here\n", "text/plain; charset=utf-8"),
    ({"Subject": "Confirmação de senha — não ignore", "To": "joao@example.com.br"},
     "Olá João, sua conta foi bloqueada. Acesse http://xn--80ak6aa92e.com/login/abc123def456 agora.\n"
     "Valor: R$ 1.234,56 — código １２３４５.\n____________________________\nlista de discussão\n",
     "text/plain; charset=utf-8"),
    ({"Subject": "Rechnung Nr. 4711", "To": "kunde@example.de"},
     "<html><body><p>Sehr geehrte Kundin, Ihre Rechnung über 99,00 EUR.</p>"
     "<a href='https://user:pw@192.168.10.20/pay_now/Invoice-77'>Jetzt zahlen</a>"
     "<a href=\"//cdn.example.co.uk/img/logo_v2.png\">logo</a> www.example.net/path/to/x</body></html>",
     "text/html; charset=utf-8"),
    ({"Subject": "", "To": "x@example.org"}, "", "text/plain; charset=utf-8"),
    ({"Subject": "会议通知 2026", "To": "li.wei@example.cn"}, "请查看附件中的会议安排。谢谢！ a_b__c 12ab34 _x_\n",
     "text/plain; charset=utf-8"),
    ({"Subject": "re: re: fw: invoice", "To": "Bob <bob@example.org>, carol@example.org"},
     "| piped line\n> quoted\nbob wrote:\nnormal line with email bob&#64;example.org and [at] things\n"
     "visit www.shop-example.com/sale/item-42 and HTTPS://EXAMPLE.ORG/UPPER/Case\n", "text/plain; charset=utf-8"),
]


def _train(tmp_path) -> object:
    rng = random.Random(7)
    items = []
    for i in range(30):
        for label, lines in ((1, PHISH), (0, HAM)):
            body = "\n".join(rng.sample(lines, 3)) + (f"\nhttps://login-{rng.randrange(999)}.example/verify?id={i}\n"
                                                      if label else "\nhttps://git.example.org/commit/abc\n")
            raw = make_message({"From": "a@example.net", "To": "alex@example.org",
                                "Subject": rng.choice(lines)[:40], "Message-ID": f"<{label}-{i}@example.net>"}, body)
            items.append((raw, label))
    report = learn(tmp_path, items)
    assert report.mode == "full"
    model = load_model(tmp_path)
    assert model is not None
    return model


def _written() -> list[Message]:
    out = [Message.parse(make_message(h, b, ct)) for h, b, ct in TRICKY]
    for text in PHISH + HAM:
        out.append(Message.parse(make_message({"Subject": text[:30], "To": "alex@example.org"}, text + "\n")))
    return out


def test_terms_are_what_the_vectorizer_sees() -> None:
    analyzer = vectorizer().build_analyzer()
    for msg in _written():
        doc = document(msg)
        assert terms(doc) == analyzer(doc)
        # The scanner's term set is the set of the training document's terms.
        assert document_terms(msg) == set(analyzer(doc))


def test_feature_index_is_the_vectorizer_column() -> None:
    words = ["verify", "s_account", "u_h_my", "lure_callback", "não", "рекорд", "00", "a" * 300, "x_0_y"]
    x = vectorizer().transform([" ".join(words)])
    assert sorted(feature_index(w) for w in words) == sorted(x.indices.tolist())


def test_fast_probability_equals_sklearn_predict_proba(tmp_path) -> None:
    from sklearn.linear_model import LogisticRegression

    model = _train(tmp_path)
    clf = _resume(model)  # an SGDClassifier holding exactly the stored weights
    platt = LogisticRegression()
    platt.classes_ = np.array([0, 1])
    platt.coef_ = np.array([[model.platt_a]])
    platt.intercept_ = np.array([model.platt_b])
    seen = []
    for msg in _written():
        doc = document(msg)
        x = vectorizer().transform([doc])
        decision = float(clf.decision_function(x)[0])
        expected = float(platt.predict_proba(np.array([[decision]]))[0, 1])
        assert model.decision(document_terms(msg)) == pytest.approx(decision, abs=1e-9)
        assert model.decision(doc) == pytest.approx(decision, abs=1e-9)
        assert model.probability(document_terms(msg)) == pytest.approx(expected, abs=1e-9)
        seen.append(expected)
    assert max(seen) - min(seen) > 0.1  # the messages are scored differently: the comparison has teeth


def test_top_terms_same_from_document_or_terms(tmp_path) -> None:
    model = _train(tmp_path)
    analyzer = vectorizer().build_analyzer()
    ranked = 0
    for msg in _written():
        doc = document(msg)
        for n in (1, 3, 8, 100):
            # Reference: every term ranked by its vectorizer column's weight, ties by the term.
            scored = sorted(((float(model.coef[vectorizer().transform([t]).indices[0]]), t)
                             for t in set(analyzer(doc))), reverse=True)
            expected = [t for w, t in scored[:n] if w > 0]
            assert model.top_terms(doc, n) == model.top_terms(document_terms(msg), n) == expected
            ranked += len(expected) > 1
    assert ranked


def test_corpus_term_sets_match() -> None:
    corpus = shared_path("corpus")
    analyzer = vectorizer().build_analyzer()
    files = [f for f in sorted(corpus.rglob("*")) if f.is_file() and f.name not in ("README.md", "MANIFEST.csv")]
    for f in files[::7]:
        msg = Message.parse(f.read_bytes())
        assert document_terms(msg) == set(analyzer(document(msg))), f.name
