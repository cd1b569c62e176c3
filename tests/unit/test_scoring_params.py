"""Scoring is one value: every constant is a field of ScoringParams, and the version follows them."""

from __future__ import annotations

import dataclasses

import pytest

from app.matching import scoring
from app.matching.embedders import E5Embedder, HashingEmbedder
from app.matching.service import Matcher


def _e5_params(**overrides: object) -> scoring.ScoringParams:
    return scoring.resolve(E5Embedder.name, model_low=0.83, model_high=0.93, centre=True, **overrides)  # type: ignore[arg-type]


def test_every_field_changes_the_version() -> None:
    params = _e5_params()
    changed = {
        "low": params.low + 0.01,
        "high": params.high + 0.01,
        "lexical": "tfidf",
        "lexical_weight": 0.2,
        "title_offset": params.title_offset + 0.05,
        "threshold": params.threshold + 0.05,
        "credit_width": params.credit_width + 0.1,
        "min_coverage": 0.6,
        "order": "coverage",
        "skill_weight": params.skill_weight + 0.5,
        "document_weight": params.document_weight + 0.5,
        "semantic_weight": params.semantic_weight + 0.5,
        "centred": not params.centred,
        "model": "another-model",
        "document_text": not params.document_text,
        "titles_only_offset": params.titles_only_offset + 0.05,
        "niveau_weight": params.niveau_weight + 0.1,
        "niveau_centre": params.niveau_centre + 1.0,
        "generic_discount": not params.generic_discount,
        "name_weight": params.name_weight + 1.0,
        "splitter": "0" * 12,
    }
    assert set(changed) == {f.name for f in dataclasses.fields(scoring.ScoringParams)}
    versions = {dataclasses.replace(params, **{name: value}).version for name, value in changed.items()}  # type: ignore[arg-type]
    assert params.version not in versions
    assert len(versions) == len(changed)
    assert _e5_params().version == params.version  # equal parameters, equal version
    assert params.version.startswith(scoring.SERIES + "-")


def test_the_fitted_table_is_what_an_e5_matcher_scores_with() -> None:
    fitted = scoring.FITTED[(E5Embedder.name, True)]
    params = _e5_params()
    assert (params.low, params.high, params.threshold) == (fitted.low, fitted.high, fitted.threshold)
    assert (params.title_offset, params.credit_width) == (fitted.title_offset, fitted.credit_width)
    assert (params.skill_weight, params.document_weight, params.semantic_weight) == (
        fitted.skill_weight,
        fitted.document_weight,
        fitted.semantic_weight,
    )
    assert _e5_params(threshold=0.4, semantic_weight=2.0).threshold == 0.4


def test_a_model_without_fitted_values_keeps_its_own_calibration_and_is_not_centred() -> None:
    matcher = Matcher(HashingEmbedder(), centre=True)
    assert matcher.centred is False
    assert matcher.calibration == HashingEmbedder.calibration
    assert matcher.threshold == scoring.UNFITTED_THRESHOLD


def test_parameters_of_another_model_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot score"):
        Matcher(HashingEmbedder(), _e5_params())


def test_the_matcher_answers_with_the_version_of_its_parameters() -> None:
    matcher = Matcher(HashingEmbedder())
    assert matcher.config().scoring_version == matcher.params.version
    assert matcher.config(min_coverage=0.5).scoring_version != matcher.params.version
