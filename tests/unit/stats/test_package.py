"""prebirth.stats: every public name is reachable, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import prebirth.stats as stats


def test_every_public_name_is_reachable():
    assert set(stats.__all__) == set(stats._WHERE)
    for name in stats.__all__:
        assert getattr(stats, name) is getattr(__import__(f"prebirth.stats.{stats._WHERE[name]}",
                                                          fromlist=[name]), name)


def test_reading_the_data_does_not_import_scipy_statistics_or_the_models():
    # The process that reads and checks an area's data needs rounding, not the models.
    code = ("import sys; import prebirth.chapters.common, prebirth.data.load; "
            "print(sorted(m for m in ('scipy.stats', 'statsmodels', 'prebirth.stats.funnel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
