"""The columnar fast path of a big list CSV gives exactly the pool the row-by-row path gives."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest

from maca.sampling import services
from maca.sampling.importers import columnar
from maca.sampling.models import PoolChild

TODAY = dt.date(2026, 11, 26)
HEADER = (
    "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Date of Referral,"
    "Date of Referral Decision,Referral Source,Allocated Team,Allocated Worker"
)


def _list3(n: int, seed: int = 1, *, changed: bool = False) -> bytes:
    """n List 3 rows, about a third of them repeat referrals of the same child."""
    rng = random.Random(seed)
    children = max(1, n * 2 // 3)
    people = {}
    for c in range(children):
        born = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(16 * 365))
        people[c] = (
            born,
            rng.choice(["a) Male", "b) Female", "M", "F"]),
            rng.choice(["WBRI", "a) WBRI", "ABAN", "MWBC"]),
            rng.choice(["North Team", 'South, "East" Team', "Équipe"]),
        )
    lines = [HEADER]
    for i in range(n):
        c = i if i < children else rng.randrange(children)
        born, sex, ethnicity, team = people[c]
        if changed and c % 7 == 0:
            team = "New Team"
        referred = born + dt.timedelta(days=1 + rng.randrange(3 * 365))
        referred = min(referred, TODAY - dt.timedelta(days=5))
        decided = (
            (referred + dt.timedelta(days=rng.randrange(3))).strftime("%Y-%m-%d")
            if rng.random() < 0.6
            else ""
        )
        if changed and i % 11 == 0:
            decided = (referred + dt.timedelta(days=1)).strftime("%d/%m/%Y")
        lines.append(
            f"CH{c:06d},{sex},{ethnicity},{born:%d/%m/%Y},3,{referred:%d/%m/%Y},{decided},"
            f'Police,"{team.replace(chr(34), chr(34) * 2)}",Ann Worker'
        )
    return ("\n".join(lines) + "\n").encode()


def _pool(partnership) -> list[tuple]:
    return list(
        PoolChild.objects.filter(partnership=partnership)
        .order_by("pseudo_id")
        .values_list(
            "pseudo_id", "date_of_birth", "age_years", "sex", "ethnicity", "team", "events"
        )
    )


def _import(
    world, partnership, data: bytes, *, fast: bool, monkeypatch, batch_rows=None, progress=None
):
    if batch_rows is not None:
        monkeypatch.setattr(columnar, "BATCH_ROWS", batch_rows)
        # Rows per INSERT: 2,000 children are then not a whole number of statements.
        monkeypatch.setattr(services, "ROWS_PER_INSERT", 7)
    if not fast:
        monkeypatch.setattr(services, "read_columnar", lambda reader, pseudonymise: None)
    used = []
    real = columnar.read_columnar

    def spy(reader, pseudonymise):
        result = real(reader, pseudonymise)
        used.append(result is not None)
        return result

    if fast:
        monkeypatch.setattr(services, "read_columnar", spy)
    summary = services.pool_import(
        actor=None,
        partnership=partnership,
        source=io.BytesIO(data),
        filename="List 3.csv",
        today=TODAY,
        progress=progress,
    )
    monkeypatch.undo()
    return summary, used


def _counts(summary) -> tuple:
    return (
        summary.format,
        summary.rows_read,
        summary.children,
        summary.created,
        summary.updated,
        summary.unchanged,
        [str(w) for w in summary.warnings],
        [str(n) for n in summary.notes],
    )


# One batch for the whole file, and many small ones (a child's rows then fall in different
# batches, as in a big file read BATCH_ROWS rows at a time).
@pytest.mark.parametrize("batch_rows", [None, 7, 1000])
@pytest.mark.django_db
def test_both_paths_give_the_same_pool_first_import_reimport_and_update(
    world, monkeypatch, batch_rows
):
    from maca.partnerships.models import Partnership

    slow_p = world.partnership
    fast_p = Partnership.objects.create(name="Other partnership", slug="other-columnar")
    first, newer = _list3(3000), _list3(3000, changed=True)
    updated = []
    for data in (first, first, newer, newer):
        slow, _ = _import(world, slow_p, data, fast=False, monkeypatch=monkeypatch)
        fast, used = _import(
            world, fast_p, data, fast=True, monkeypatch=monkeypatch, batch_rows=batch_rows
        )
        assert used == [True]
        assert _counts(fast) == _counts(slow)
        assert _pool(fast_p) == _pool(slow_p)
        updated.append((slow.created, slow.updated))
        _same_population_dates(fast_p)
    # New, unchanged on re-import, some updated by the newer file, unchanged again.
    assert updated[0] == (2000, 0) and updated[1] == (0, 0) and updated[3] == (0, 0)
    assert updated[2][0] == 0 and updated[2][1] > 100
    assert len(_pool(slow_p)) == 2000


@pytest.mark.django_db
def test_a_file_with_one_messy_value_falls_back_and_gives_the_usual_messages(world, monkeypatch):
    data = _list3(300).replace(b",M,", b",Mle,", 1)
    summary, used = _import(world, world.partnership, data, fast=True, monkeypatch=monkeypatch)
    assert used == [False]
    assert len(summary.warnings) == 1 and '"Mle" is not a recognised sex' in str(
        summary.warnings[0]
    )


def _same_population_dates(partnership) -> None:
    """The population figures' cache the import left equals the dates read from the pool."""
    import numpy as np

    from maca.chronology.engine.population import KINDS, pool_dates
    from maca.chronology.population import _cache_path, _load_cached

    path = _cache_path(partnership.pk)
    cached = _load_cached(path)
    assert cached is not None
    events = (
        PoolChild.objects.filter(partnership=partnership)
        .order_by("id")
        .values_list("events", flat=True)
    )
    fresh = pool_dates(list(events))
    for kind in KINDS:
        assert np.array_equal(cached[kind].child, fresh[kind].child)
        assert np.array_equal(cached[kind].day, fresh[kind].day)
        assert np.array_equal(cached[kind].latest, fresh[kind].latest)


@pytest.mark.django_db
def test_a_future_referral_date_falls_back_and_is_refused_as_before(world, monkeypatch):
    lines = _list3(50).decode().splitlines()
    cells = lines[5].split(",")
    cells[5] = "01/01/2027"  # after TODAY
    lines[5] = ",".join(cells)
    data = ("\n".join(lines) + "\n").encode()
    with pytest.raises(services.PoolImportRefused) as refused:
        _import(world, world.partnership, data, fast=True, monkeypatch=monkeypatch)
    assert [str(e) for e in refused.value.errors] == [
        'CSV row 6, column "Date of Referral": "01/01/2027" is in the future '
        "(expected a date on or before 26/11/2026)"
    ]
    assert not PoolChild.objects.filter(partnership=world.partnership).exists()


@pytest.mark.django_db
def test_a_list_over_the_columnar_limit_streams_row_by_row(world, monkeypatch, settings):
    """The columnar path holds every row's normalised values: a huge list must not take it."""
    data = _list3(300)
    settings.MACA_IMPORT_COLUMNAR_MAX_BYTES = len(data) - 1
    summary, used = _import(world, world.partnership, data, fast=True, monkeypatch=monkeypatch)
    assert used == []  # never tried
    assert summary.created == len(_pool(world.partnership)) > 0
    settings.MACA_IMPORT_COLUMNAR_MAX_BYTES = len(data)
    _, used = _import(world, world.partnership, data, fast=True, monkeypatch=monkeypatch)
    assert used == [True]


@pytest.mark.django_db
def test_a_list_5_with_icpc_deemed_unnecessary_goes_row_by_row_and_keeps_it(world, monkeypatch):
    data = (
        b"Child Unique ID,Date of Birth,Strategy discussion initiating Section 47 Enquiry Start "
        b"Date,Was an Initial Child Protection Conference deemed unnecessary?,"
        b"Date of Initial Child Protection Conference\n"
        b"S1,01/02/2021,03/03/2022,Yes,\n"
        b"S2,01/02/2021,03/03/2022,No,20/03/2022\n"
    )
    summary, used = _import(world, world.partnership, data, fast=True, monkeypatch=monkeypatch)
    assert used == [False] and summary.children == 2
    kinds = sorted(sorted(e["kind"] for e in row[-1]) for row in _pool(world.partnership))
    assert kinds == [["icpc", "s47_start"], ["icpc_not_required", "s47_start"]]


@pytest.mark.django_db
def test_a_messy_value_in_a_late_batch_falls_back_with_nothing_half_saved(world, monkeypatch):
    lines = _list3(300).decode().splitlines()
    lines[290] = lines[290].replace(",M,", ",Mle,").replace(",F,", ",Mle,")
    data = ("\n".join(lines) + "\n").encode()
    summary, used = _import(
        world, world.partnership, data, fast=True, monkeypatch=monkeypatch, batch_rows=50
    )
    assert used == [False]
    assert [w.row for w in summary.warnings] == [291]
    assert '"Mle" is not a recognised sex' in str(summary.warnings[0])
    assert summary.created == len(_pool(world.partnership)) == 200


@pytest.mark.django_db
def test_a_child_whose_details_differ_between_batches_falls_back(world, monkeypatch):
    """Rows in different batches naming one child with different teams: the row-by-row
    reader's rules decide, not the fast path."""
    from maca.partnerships.models import Partnership

    lines = _list3(300).decode().splitlines()
    line = next(line for line in lines[1:50] if '"North Team"' in line)
    lines.append(line.replace('"North Team"', '"West Team"'))
    changed = ("\n".join(lines) + "\n").encode()
    summary, used = _import(
        world, world.partnership, changed, fast=True, monkeypatch=monkeypatch, batch_rows=100
    )
    assert used == [False] and not summary.warnings
    other = Partnership.objects.create(name="Other partnership", slug="other-columnar")
    _import(world, other, changed, fast=False, monkeypatch=monkeypatch)
    assert _pool(world.partnership) == _pool(other)


@pytest.mark.django_db
def test_the_fast_path_reports_progress_batch_by_batch(world, monkeypatch):
    calls = []
    _, used = _import(
        world,
        world.partnership,
        _list3(250),
        fast=True,
        monkeypatch=monkeypatch,
        batch_rows=100,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert used == [True]
    assert calls == [(100, None), (200, None), (250, None), (250, 250)]


def test_pseudonymise_is_hmac_sha256_of_the_stripped_id(settings):
    import hashlib
    import hmac

    for key in ("k", "x" * 64, "a much longer key than one SHA-256 block " * 3):
        settings.PSEUDONYM_KEY = key
        services._keyed_pads.cache_clear()
        ids = ["CH000001", " 12345 ", "Élodie-7"]
        expected = [
            hmac.new(key.encode(), i.strip().encode(), hashlib.sha256).hexdigest() for i in ids
        ]
        assert [services.pseudonymise(i) for i in ids] == expected
        assert services.pseudonymise.many(ids) == expected


@pytest.mark.django_db
def test_crlf_line_ends_and_blank_rows_give_the_same_pool_both_ways(world, monkeypatch):
    from maca.partnerships.models import Partnership

    lines = _list3(400).decode().splitlines()
    lines.insert(100, ",,,,,,,,,")
    data = ("\r\n".join(lines) + "\r\n").encode()
    other = Partnership.objects.create(name="Other partnership", slug="other-columnar")
    fast, used = _import(
        world, world.partnership, data, fast=True, monkeypatch=monkeypatch, batch_rows=60
    )
    slow, _ = _import(world, other, data, fast=False, monkeypatch=monkeypatch)
    assert used == [True]
    assert _counts(fast) == _counts(slow) and fast.rows_read == 400
    assert _pool(world.partnership) == _pool(other)


@pytest.mark.django_db
def test_a_list_with_only_its_header_is_read_as_before(world, monkeypatch):
    summary, _ = _import(
        world, world.partnership, (HEADER + "\n").encode(), fast=True, monkeypatch=monkeypatch
    )
    assert summary.rows_read == 0 and summary.children == 0


@pytest.mark.django_db
def test_a_path_and_a_stream_named_like_another_file_read_their_own_rows(
    world, monkeypatch, tmp_path
):
    """An uploaded stream's ``name`` is whatever the user called it: never read from there."""
    from maca.partnerships.models import Partnership

    path = tmp_path / "List 3.csv"
    path.write_bytes(_list3(90))
    monkeypatch.chdir(tmp_path)
    stream = io.BytesIO(_list3(30, seed=2))
    stream.name = "List 3.csv"
    used = []
    real = columnar.read_columnar
    monkeypatch.setattr(
        services, "read_columnar", lambda *a: used.append(real(*a) is not None) or real(*a)
    )
    from_stream = services.pool_import(
        actor=None, partnership=world.partnership, source=stream, filename="List 3.csv", today=TODAY
    )
    other = Partnership.objects.create(name="Other partnership", slug="other-columnar")
    from_path = services.pool_import(
        actor=None, partnership=other, source=path, filename="List 3.csv", today=TODAY
    )
    assert (from_stream.rows_read, from_path.rows_read) == (30, 90)
    assert used == [True, True]
