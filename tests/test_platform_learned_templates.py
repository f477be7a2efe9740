"""Authenticated senders without a profile: their template is learned from history, and a slot that
suddenly carries a phone number, a foreign link or a lure is flagged. No history: no learning, no crash."""

from __future__ import annotations

from mailwarden.analyzers.platform import slot_text
from platform_helpers import scan_as, symbols

from conftest import make_message


class MemoryStore:
    def __init__(self) -> None:
        self.samples: dict[str, list[dict]] = {}

    def template_samples(self, key: str, limit: int = 20) -> list[dict]:
        return self.samples.get(key, [])[-limit:]

    def add_template_sample(self, key: str, sample: dict) -> None:
        self.samples.setdefault(key, []).append(sample)


def shipping(order: str, extra: str = "") -> bytes:
    return make_message({"From": "Parcel Notices <notices@parcelhub.example>", "Subject": f"Order {order} has shipped"},
                        f"Hello,\nyour order {order} has shipped and will arrive in 2-3 days.\n{extra}\n"
                        "Track it in your account at https://parcelhub.example/track\nParcelHub customer service\n")


def test_slot_text_is_what_varies() -> None:
    samples = [f"Order {n} has shipped today" for n in range(100, 110)]
    assert slot_text("Order 555 has shipped today", samples) == "555"


def test_learned_template_flags_a_new_phone_number_in_a_slot() -> None:
    store = MemoryStore()
    for n in range(6):
        scan_as(shipping(f"A-10{n}"), ["parcelhub.example"], store=store, record=True)
    key = "dkim:parcelhub.example|from:notices@parcelhub.example"
    assert len(store.samples[key]) == 6
    clean = scan_as(shipping("A-200"), ["parcelhub.example"], store=store)
    assert not {s for s in symbols(clean) if s.startswith("PLATFORM_SLOT")}
    bad = scan_as(shipping("A-201", "Unusual charge of $499.99 on your account? Call +1 (808) 555-0147 to cancel."),
                  ["parcelhub.example"], store=store)
    assert "PLATFORM_SLOT_CALLBACK" in symbols(bad)
    assert "PLATFORM_SLOT_LURE" in symbols(bad)


def test_flagged_messages_do_not_teach_the_template() -> None:
    store = MemoryStore()
    for n in range(6):
        scan_as(shipping(f"A-10{n}"), ["parcelhub.example"], store=store, record=True)
    before = sum(len(v) for v in store.samples.values())
    v = scan_as(shipping("A-9", "Unusual charge of $499.99 on your account? Call +1 (808) 555-0147 to cancel. "
                         "Verify your account and confirm your identity immediately."),
                ["parcelhub.example"], store=store, record=True)
    assert v.action != "accept"
    assert sum(len(v) for v in store.samples.values()) == before


def test_no_store_means_no_learning_and_no_crash() -> None:
    v = scan_as(shipping("A-1", "Call +1 (808) 555-0147"), ["parcelhub.example"], store=None)
    assert not {s for s in symbols(v) if s.startswith("PLATFORM_SLOT")}
    assert v.action != "tempfail"


def test_store_without_template_methods_is_ignored() -> None:
    v = scan_as(shipping("A-1"), ["parcelhub.example"], store=object(), record=True)
    assert v.action != "tempfail"
    assert "ANALYZER_ERROR" not in symbols(v)


def test_unauthenticated_senders_are_not_learned() -> None:
    store = MemoryStore()
    scan_as(shipping("A-1"), [], store=store, record=True)
    assert store.samples == {}


def test_learning_with_the_real_history_store(tmp_path) -> None:  # noqa: ANN001
    from mailwarden.engine import Engine

    engine = Engine(analyzers=["headers", "platform", "history"], state_dir=str(tmp_path))
    if engine.store is None or not hasattr(engine.store, "template_samples"):
        import pytest

        pytest.skip("this history store keeps no template samples")
    for n in range(6):
        scan_as(shipping(f"B-30{n}"), ["parcelhub.example"], engine=engine)
    assert len(engine.store.template_samples("dkim:parcelhub.example|from:notices@parcelhub.example")) >= 5
    bad = scan_as(shipping("B-400", "Unusual charge of $499.99 on your account? Call +1 (808) 555-0147 to cancel."),
                  ["parcelhub.example"], engine=engine)
    assert "PLATFORM_SLOT_CALLBACK" in symbols(bad)
