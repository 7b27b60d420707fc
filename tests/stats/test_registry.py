"""The metric registry: every shown metric has an entry, and the label and definition tables are its views."""

import ast
import math
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from cxlab import metrics, summary
from cxlab.present.dashboard_text import TEXT
from cxlab.present.labels import LABELS
from cxlab.present.report import HEADLINE_ORDER
from cxlab.stats import registry
from cxlab.stats.registry import METRICS, definition, is_better, label, metric, sentence

# The dashboard's four tiles (cxlab.present.dashboard builds one per metric).
TILES = ("nps", "csi", "response_rate", "revenue_at_risk")


@pytest.mark.parametrize("name", [*HEADLINE_ORDER, "csi_weighted", *TILES, "churn_probability", "mean", "proportion"])
def test_every_shown_metric_has_labels_and_definitions_in_both_languages(name):
    m = metric(name)
    assert m.name == name
    for lang in ("ru", "en"):
        assert label(name, lang).strip()
        assert definition(name, lang).strip()
    assert sentence(name).strip()
    assert m.unit in {"points", "rating", "index", "share", "probability", "money", "value"}
    assert m.better in {"higher", "lower", None}


def test_russian_labels_and_definitions_are_russian():
    for m in METRICS.values():
        assert any("а" <= ch <= "я" for ch in m.definition_ru.lower()), m.name
        assert not any("а" <= ch <= "я" for ch in m.definition_en.lower() + m.label_en.lower()), m.name


def test_the_metrics_definitions_are_the_registrys_sentences():
    assert list(metrics.DEFINITIONS) == [
        "nps",
        "nps_account",
        "nps_revenue_weighted",
        "csat_mean",
        "topbox",
        "csi",
        "mean",
        "proportion",
    ]
    for key, text in metrics.DEFINITIONS.items():
        assert text == sentence(key)
    assert metrics.metric_definition("top3box") == sentence("top2box")


def test_the_reports_definitions_are_the_registrys_paragraphs():
    assert list(summary.DEFINITIONS) == [
        "nps",
        "nps_clustered",
        "nps_account",
        "nps_revenue",
        "csat_mean",
        "top2box",
        "csi",
        "csi_weighted",
        "response_rate",
    ]
    for key, texts in summary.DEFINITIONS.items():
        assert texts == {"ru": metric(key).definition_ru, "en": metric(key).definition_en}


def test_report_and_dashboard_labels_are_the_registrys():
    for name in HEADLINE_ORDER:
        assert LABELS[name] == (label(name, "ru"), label(name, "en"))
    for name in TILES:
        assert TEXT[name] == metric(name).labels


def test_aliases_resolve_to_one_entry():
    assert metric("nps_revenue_weighted") is metric("nps_revenue")
    assert metric("topbox") is metric("top2box")
    assert sentence("nps_revenue_weighted") == sentence("nps_revenue")
    assert label("topbox", "en") == label("top2box", "en") == "CSAT, top-2-box share"


def test_other_top_boxes_get_their_own_label_and_the_general_definition():
    three = metric("top3box")
    assert three.name == "top3box"
    assert three.label("ru") == "CSAT, доля довольных (top-3-box)"
    assert three.sentence == sentence("top2box")
    assert "4-5" not in three.definition("ru") + three.definition("en")


def test_unknown_metric_and_language_are_refused():
    with pytest.raises(KeyError, match="unknown metric 'nps_total'"):
        metric("nps_total")
    with pytest.raises(ValueError, match="lang must be 'ru' or 'en'"):
        label("nps", "de")


def test_direction_of_good():
    assert metric("revenue_at_risk").better == "lower"
    assert metric("churn_probability").better == "lower"
    assert all(metric(m).better == "higher" for m in HEADLINE_ORDER)
    assert is_better("nps", 3.0) is True
    assert is_better("nps", -3.0) is False
    assert is_better("revenue_at_risk", -2e5) is True
    assert is_better("revenue_at_risk", 2e5) is False
    assert is_better("csi", 0.0) is None
    assert is_better("csi", math.nan) is None
    assert is_better("mean", 1.0) is None


def test_ranges_hold_the_scales_the_definitions_state():
    assert metric("nps").scale == (-100, 100)
    assert metric("csi").scale == (0, 100)
    assert metric("response_rate").scale == (0, 1)
    assert metric("revenue_at_risk").scale == (0, math.inf)
    assert metric("mean").scale is None


def test_entries_are_frozen():
    with pytest.raises(FrozenInstanceError):
        metric("nps").label_en = "Net Promoter Score"


def test_stats_imports_nothing_from_cxlab_but_errors():
    package = Path(registry.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "cxlab":
                    assert name == "cxlab.errors" or name.startswith("cxlab.stats"), f"{path.name} imports {name}"


def test_importing_stats_loads_neither_scipy_nor_statsmodels():
    code = "import sys, cxlab.stats; print(sorted(m for m in ('scipy', 'statsmodels') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
