"""A campaign of 30 variants hidden in 1,000 unrelated messages lands in one campaign, and only there."""

from __future__ import annotations

import random
from collections import Counter

from history_mailgen import campaign_variant, newsletter, unrelated
from mailwarden.engine import Engine


def test_thirty_variants_form_exactly_one_campaign(tmp_path):
    rng = random.Random(2026)
    items = [("camp", campaign_variant(i, rng)) for i in range(30)]
    items += [("noise", unrelated(i, rng)) for i in range(940)]
    items += [(f"list{i}", newsletter(i, k, rng)) for i in range(3) for k in range(20)]
    rng.shuffle(items)
    engine = Engine(state_dir=str(tmp_path))
    seen: list[tuple[str, str | None]] = []
    for label, raw in items:
        v = engine.scan(raw)
        seen.append((label, v.campaign))
    # The first member cannot know it starts a campaign (its verdict says None); the store puts it in.
    camp_ids = Counter(c for label, c in seen if label == "camp")
    assert camp_ids[None] <= 1
    del camp_ids[None]
    assert len(camp_ids) == 1, camp_ids
    (cid, n), = camp_ids.most_common(1)
    assert n >= 29
    store = engine.store
    info = store.campaign(cid)
    assert info["size"] == 30
    members = {m["message_id"] for m in info["members"]}
    assert all(mid.startswith("<camp-") for mid in members)
    assert {"kind": "url", "value": "mailbox-quota-upgrade.example/portal/login"} in info["pivots"]
    assert len(info["subjects"]) >= 8
    # Unrelated messages stay out of it; they may form their own (benign) clusters, never this one.
    assert not any(c == cid for label, c in seen if label != "camp")
    noise_campaigns = {c for label, c in seen if label == "noise" and c}
    assert len(noise_campaigns) <= 5


def test_first_member_of_a_campaign_is_found_by_hunt(tmp_path):
    rng = random.Random(5)
    engine = Engine(state_dir=str(tmp_path))
    verdicts = [engine.scan(campaign_variant(i, rng)) for i in range(5)]
    cid = verdicts[-1].campaign
    assert cid and all(v.campaign == cid for v in verdicts[1:])
    assert len(engine.store.hunt("campaign", cid)) == 5
