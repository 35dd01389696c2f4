"""The engine's output and error messages are exactly those recorded before its fast paths.

The corpus (equivalence_corpus.py) mixes valid chronologies, damaged ones, worked-example
wrappers and the demo chronologies, over the built-in protocol and a custom one, at three dates.
"""

from __future__ import annotations

import json

from tests.chronology.equivalence_corpus import GOLDEN, cases, digest, outcome, protocols


def test_every_evaluation_and_message_is_unchanged() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    all_protocols = protocols()
    seen = {name: outcome(doc, all_protocols) for name, doc in cases()}
    assert sorted(seen) == sorted(golden)
    changed = {name: found for name, found in seen.items() if digest(found) != golden[name]}
    # On failure, shows the first changed outcome in full, to compare with the code on main.
    assert not changed, json.dumps(next(iter(changed.items())), indent=1)[:4000]
