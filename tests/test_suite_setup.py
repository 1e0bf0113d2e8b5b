"""The suite's own setup (tests/conftest.py): pytest's --durations stays true for tests that
freeze time, and hypothesis's profile follows CI and HYPOTHESIS_PROFILE."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A report line of --durations for the frozen test below: seconds, the phase, the test's id.
DURATION = re.compile(r"^(-?\d+(?:\.\d+)?)s (setup|call|teardown) +test_frozen\.py::", re.M)


def test_durations_are_real_seconds_for_a_test_under_frozen_time(
    pytester: pytest.Pytester,
) -> None:
    # The fixture freezes time between setup's start and end, and unfreezes it between
    # teardown's: a pytest clock that freezegun replaced would report about 1.7e9 seconds for
    # the one and minus that for the other.
    pytester.makepyfile(
        test_frozen="""
        from datetime import datetime, timezone

        import pytest
        from freezegun import freeze_time

        T0 = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc)


        @pytest.fixture
        def frozen():
            with freeze_time(T0) as frozen_time:
                yield frozen_time


        def test_at_a_fixed_instant(frozen):
            assert datetime.now(timezone.utc) == T0
            frozen.tick(3600)
            assert datetime.now(timezone.utc) == T0.replace(hour=13)
        """
    )
    result = pytester.runpytest("--durations=5", "--durations-min=0", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    reported = {phase: float(seconds) for seconds, phase in DURATION.findall(result.stdout.str())}
    assert sorted(reported) == ["call", "setup", "teardown"], result.stdout.str()
    assert all(0 <= seconds < 60 for seconds in reported.values()), reported


# Each case reloads tests/conftest.py in one fresh interpreter (the profile is chosen when pytest
# reads it), with only the case's variables set: (CI, HYPOTHESIS_PROFILE) -> the profile loaded.
PROFILE_CASES = [
    ((None, None), "dev"),
    (("true", None), "ci"),
    (("true", "dev"), "dev"),
]
SHOW_PROFILES = """
import importlib, json, os, sys
from hypothesis import settings
shown = []
for ci, named in json.loads(sys.argv[1]):
    for name, value in (("CI", ci), ("HYPOTHESIS_PROFILE", named)):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    import tests.conftest
    importlib.reload(tests.conftest)
    profiles = [name for name in ("ci", "dev") if settings.default is settings.get_profile(name)]
    shown.append([profiles, settings.default.derandomize])
print(json.dumps(shown))
"""


def test_the_hypothesis_profile_follows_ci_unless_one_is_named() -> None:
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            SHOW_PROFILES,
            json.dumps([case for case, _ in PROFILE_CASES]),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert json.loads(shown.stdout) == [
        [[profile], profile == "ci"] for _, profile in PROFILE_CASES
    ]
