"""Run the matching-quality benchmark and write its section of docs/benchmarks.md.

    python -m bench.quality            # or: make bench-quality

Five sets, all real or written by us (bench/quality/data.py):
(a) the 4 full-content dossiers, their 14 typeringen as queries;
(b) those 4 as titles only plus the 10 titles-only dossiers of kd-2016-titles-dev, 41 typeringen;
(c) mixed: the 4 full plus the 10 titles-only, the same 41 typeringen;
(d) our 48+ vacancy texts, whole, as an ATS sends them, against catalogue (c);
(e) the 41 typeringen blinded (their own kwalificatie's and dossier's title replaced by a neutral word),
against catalogue (c): a description of the work that does not name the job.
Every setting is chosen leave-one-dossier-out over the 14 dossiers on (a)–(c), (e) and the dev half of
(d); the test half of (d) never chooses anything. Deterministic: no sampling, every tie broken by crebo.
Vectors are cached in bench/.cache/.
"""

from __future__ import annotations

import itertools
import logging
import os
import platform
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from app.matching.index import programme_name
from app.matching.scoring import ScoringParams
from app.matching.service import Matcher
from app.settings import Settings
from bench import docs
from bench.quality import render
from bench.quality.cache import CACHE_DIR, cached_models
from bench.quality.data import (
    blind,
    dossier_files,
    load_dossiers,
    queries,
    titles_dev_files,
    titles_dev_queries,
    vacancies,
)
from bench.quality.evaluate import (
    TITLES_ONLY,
    Answer,
    Catalogue,
    Evidence,
    Figures,
    Grid,
    Item,
    answer,
    base_params,
    catalogue,
    catalogue_session,
    check_against_service,
    choose_staged,
    collect,
    e5_documents,
    eligibility_term,
    figures,
    ranked_by,
    tfidf_documents,
    zsum,
    zsum_within,
)
from bench.shared import REPO_ROOT

log = logging.getLogger("bench.quality")

DOC = REPO_ROOT / "docs" / "benchmarks.md"
SECTION = "## Matching quality"
# What chooses the settings: the typeringen against catalogues (a), (b), (c), the blinded typeringen (e),
# and the dev half of our vacancy texts (d). The test half of (d) never chooses anything.
CHOOSING = ("a", "b", "c", "d", "e")
SETS = "abcde"


@dataclass(frozen=True, slots=True)
class Run:
    """Everything the report needs."""

    rows: dict[str, dict[str, Figures]]  # set → row label → figures
    titles_mixed: dict[str, Figures]  # catalogue (c), titles-only queries only: row → figures
    chosen: ScoringParams
    previous: ScoringParams
    default: ScoringParams
    folds: list[tuple[str, ScoringParams]]
    worst: list[tuple[str, str, int, str]]  # (set, query, rank of the right one, what won)
    vacancy_halves: dict[str, Figures]
    statements: str
    checked: int
    seconds: float
    model: str


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    started = time.perf_counter()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    e5 = cached_models(e5_engine=Settings().e5_engine)["e5"]
    full_files, dev_files = dossier_files(), titles_dev_files()
    full_dossiers = load_dossiers(full_files)
    dev_dossiers = load_dossiers(dev_files)
    dev_crebos = {d.crebo for d in dev_dossiers}
    typering_queries = [*queries(full_dossiers), *titles_dev_queries()]
    typeringen = [
        Item(q.crebo, q.dossier, frozenset({q.crebo}), q.text, q.crebo, q.dossier in dev_crebos)
        for q in typering_queries
    ]
    dossier_title = {d.crebo: d.title for d in [*full_dossiers, *dev_dossiers]}
    blinded = [
        replace(i, text=blind(q.text, (q.title, dossier_title[q.dossier])))
        for i, q in zip(typeringen, typering_queries, strict=True)
    ]
    vacancy_list = vacancies()
    vacancy_items = [
        Item(v.id, v.dossier, v.accepted, v.text, None, v.dossier in dev_crebos) for v in vacancy_list
    ]
    split_of = {v.id: v.split for v in vacancy_list}
    full_crebos = {d.crebo for d in full_dossiers}
    items = {
        "a": [i for i in typeringen if i.dossier in full_crebos],
        "b": typeringen,
        "c": typeringen,
        "d": vacancy_items,
        "e": blinded,
    }
    settings = Settings()
    service = Matcher(
        e5,
        lexical=settings.lexical,
        lexical_weight=settings.lexical_weight,
        threshold=settings.cover_threshold,
        min_coverage=settings.min_coverage,
        ranking=settings.ranking,
        document_weight=settings.document_weight,
        semantic_weight=settings.semantic_weight,
        skill_weight=settings.skill_weight,
        title_offset=settings.title_offset,
        credit_width=settings.credit_width,
        centre=settings.centre,
    )
    default = service.params
    base = base_params(service)
    # Scoring 2026.11-9 in full: every field that has changed since is set to what it was then.
    previous = replace(
        default,
        threshold=0.65,
        title_offset=0.2,
        titles_only_offset=0.0,
        credit_width=0.2,
        skill_weight=1.0,
        document_weight=1.0,
        semantic_weight=0.0,
        name_weight=0.0,
        niveau_weight=0.0,
        generic_discount=False,
        document_text=False,
        order="eligible",
    )
    grid = Grid()
    evidence: dict[tuple[str, float, float], list[Evidence]] = {}
    cats: dict[str, Catalogue] = {}
    with (
        catalogue_session([f.read_bytes() for f in full_files]) as full_session,
        catalogue_session([f.read_bytes() for f in [*full_files, *dev_files]]) as all_session,
    ):
        sessions = {"a": full_session, "b": all_session, "c": all_session, "d": all_session, "e": all_session}
        kinds = {"a": None, "b": TITLES_ONLY, "c": None, "d": None, "e": None}
        offsets = sorted({*grid.title_offsets, default.title_offset, previous.title_offset})
        lifts = sorted({*grid.titles_only_offsets, default.titles_only_offset})
        for offset, lift in itertools.product(offsets, lifts):
            for name in SETS:
                matcher = Matcher(
                    e5, replace(base, title_offset=offset, titles_only_offset=lift), kinds=kinds[name]
                )
                cat = catalogue(name, sessions[name], matcher)
                cats[name] = cat
                evidence[(name, offset, lift)] = collect(cat, items[name])
            log.info("evidence collected at title offset %.2f, titles-only offset %.2f", offset, lift)
        e5.save()
        # Baselines, same catalogues: one score per programme for the whole text.
        texts = sorted({i.text for group in items.values() for i in group})
        vectors = dict(zip(texts, e5.encode(texts), strict=True))
        e5.save()
        baselines: dict[str, dict[str, list[Answer]]] = {}
        for name, cat in cats.items():
            docs_ = _programme_documents(cat)
            group = items[name]
            tfidf = tfidf_documents([i.text for i in group], docs_)
            sem = e5_documents(cat, np.vstack([vectors[i.text] for i in group]))
            names = [programme_name(p) for p in cat.index.programmes]
            named = tfidf_documents(
                [i.text for i in group], [f"{n}\n{d}" for n, d in zip(names, docs_, strict=True)]
            )
            by_name = tfidf_documents([i.text for i in group], names)
            kinds_ = np.array([cat.index.titles_only(p) for p in range(len(cat.index.programmes))])
            baselines[name] = {
                "TF-IDF char 3–5, whole documents": [
                    ranked_by(i, tfidf[k], cat.crebos) for k, i in enumerate(group)
                ],
                "e5, whole documents": [ranked_by(i, sem[k], cat.crebos) for k, i in enumerate(group)],
                "z-sum of both": [
                    ranked_by(i, zsum(tfidf[k], sem[k]), cat.crebos) for k, i in enumerate(group)
                ],
                "TF-IDF char 3–5, whole documents with the name": [
                    ranked_by(i, named[k], cat.crebos) for k, i in enumerate(group)
                ],
                "z-sum of both and z(name)": [
                    ranked_by(i, zsum(tfidf[k], sem[k], by_name[k]), cat.crebos) for k, i in enumerate(group)
                ],
                "the same, z within full-content and titles-only programmes": [
                    ranked_by(i, zsum_within(kinds_, tfidf[k], sem[k], by_name[k]), cat.crebos)
                    for k, i in enumerate(group)
                ],
            }

        memo: dict[tuple[ScoringParams, str], list[Answer]] = {}

        def answers(params: ScoringParams, name: str) -> list[Answer]:
            key = (params, name)
            if key not in memo:
                memo[key] = [
                    answer(ev, params, cats[name])
                    for ev in evidence[(name, params.title_offset, params.titles_only_offset)]
                ]
            return memo[key]

        def scorer(part: Callable[[Figures], float]) -> Callable[[ScoringParams, str | None], float]:
            def score(params: ScoringParams, held_out: str | None) -> float:
                return float(
                    np.mean(
                        [
                            part(
                                figures(
                                    choosing(answers(params, n), held_out, split_of),
                                    cats[n].dossier_of,
                                )
                            )
                            for n in CHOOSING
                        ]
                    )
                )

            return score

        line_score, rank_score = scorer(eligibility_term), scorer(lambda f: f.mrr)
        tolerance = 1.0 / len(typeringen)
        log.info("%d lines, %d rankings per line", len(grid.lines(base)), len(grid.rankings(base)))
        folds: list[tuple[str, ScoringParams]] = []
        held: dict[str, list[Answer]] = defaultdict(list)
        for dossier in sorted({i.dossier for i in typeringen}):
            fold = choose_staged(grid, base, line_score, rank_score, dossier, tolerance)
            folds.append((dossier, fold))
            for name in SETS:
                held[name] += [a for a in answers(fold, name) if a.item.dossier == dossier]
            log.info("fold %s: %s", dossier, render.label(fold))
        chosen = choose_staged(grid, base, line_score, rank_score, None, tolerance)
        # The service's own answers for its defaults, checked against the bench's path.
        checked = 0
        for name in SETS:
            matcher = Matcher(e5, default, kinds=kinds[name])
            cat = replace(cats[name], matcher=matcher, index=matcher.index(sessions[name]))
            checked += check_against_service(
                sessions[name], cat, evidence[(name, default.title_offset, default.titles_only_offset)]
            )
        e5.save()

    rows: dict[str, dict[str, Figures]] = {}
    titles_mixed: dict[str, Figures] = {}
    for name in SETS:
        dossier_of = cats[name].dossier_of
        row = {
            "skillmatch, held out by dossier": figures(held[name], dossier_of),
            "skillmatch, in-sample (the code's defaults)": figures(answers(default, name), dossier_of),
        }
        if chosen != default:
            row["skillmatch, in-sample (the grid's choice now)"] = figures(answers(chosen, name), dossier_of)
        row["the parameters of scoring 2026.11-9 (today's splitter)"] = figures(
            answers(previous, name), dossier_of
        )
        row.update({label: figures(a, dossier_of) for label, a in baselines[name].items()})
        rows[name] = row
        if name == "c":
            only = {k for k in (i.key for i in typeringen if i.titles_only_query)}
            titles_mixed = {
                "skillmatch, held out by dossier": figures(
                    [a for a in held["c"] if a.item.key in only], dossier_of
                ),
                "skillmatch, in-sample": figures(
                    [a for a in answers(default, "c") if a.item.key in only], dossier_of
                ),
                **{
                    label: figures([a for a in got if a.item.key in only], dossier_of)
                    for label, got in baselines["c"].items()
                },
            }
    halves = {
        half: figures([a for a in held["d"] if split_of[a.item.key] == half], cats["d"].dossier_of)
        for half in ("dev", "test")
    }
    worst = _worst(held, cats)
    run = Run(
        rows,
        titles_mixed,
        chosen,
        previous,
        default,
        folds,
        worst,
        halves,
        _statement_figures(),
        checked,
        time.perf_counter() - started,
        f"{e5.name} {e5.version}",
    )
    docs.write_section(render.section(run, machine=_machine()), heading=SECTION, doc=DOC)
    log.info("matching-quality benchmark written to %s in %.0f s", DOC, run.seconds)


def choosing(got: list[Answer], held_out: str | None, split_of: dict[str, str]) -> list[Answer]:
    """The answers a choice may see: none from the held-out dossier, none from the test half of (d)."""
    return [a for a in got if a.item.dossier != held_out and split_of.get(a.item.key) != "test"]


def _programme_documents(cat: Catalogue) -> list[str]:
    index = cat.index
    ends = [*index.offsets[1:].tolist(), len(index.statements)]
    return [
        "\n".join(s.text for s in index.statements[start:end])
        for start, end in zip(index.offsets.tolist(), ends, strict=True)
    ]


def _worst(held: dict[str, list[Answer]], cats: dict[str, Catalogue]) -> list[tuple[str, str, int, str]]:
    """The held-out queries whose right kwalificatie ranks lowest, over every set."""
    out = []
    for name, got in held.items():
        for a in got:
            rank = min(a.ranking.index(c) for c in a.item.accepted if c in a.ranking) + 1
            out.append((name, a.item.key, rank, a.ranking[0]))
    out.sort(key=lambda r: (-r[2], r[0], r[1]))
    return out[:8]


def _statement_figures() -> str:
    """What share of the statements extracted from set (d) are work, on the hand-labelled units, per half
    (the splitter's rules were developed on the dev half; the test half is held out)."""
    from bench.quality import statements
    from bench.quality.data import labelled_units

    texts, units = vacancies(), labelled_units()
    lines = [
        "| half | vacancies | labelled units | work statements extracted | share that is work | work units found | not work, by label |",
        "|---|---|---|---|---|---|---|",
    ]
    for half in ("dev", "test", "all"):
        chosen = [v for v in texts if half == "all" or v.split == half]
        ids = {v.id for v in chosen}
        mine = [u for u in units if u["id"] in ids]
        f = statements.evaluate(chosen, mine)
        wrong = ", ".join(f"{label} {n}" for label, n in f.false_by_label.items()) or "–"
        lines.append(
            f"| {half} | {f.vacancies} | {len(mine)} | {f.work_statements} | {f.precision:.3f} | "
            f"{f.recall:.3f} of {f.work_units} | {wrong} |"
        )
    return "\n".join(lines)


def _machine() -> str:
    cpu = "unknown processor"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    main()
