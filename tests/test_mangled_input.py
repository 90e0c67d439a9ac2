"""Property: whatever the loaders are fed, they fail only with bscalign's own input error,
and every problem they report names a file and a line."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import EXAMPLES, FIRE, MILITARY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bscalign.loaders import InputError, read_plans

SEED_LINES = [
    FIRE.read_text(encoding="utf-8").splitlines(keepends=True),
    MILITARY.read_text(encoding="utf-8").splitlines(keepends=True),
    (EXAMPLES / "taipei-military-service-111.yaml")
    .read_text(encoding="utf-8")
    .splitlines(keepends=True),
]


@st.composite
def mangled_documents(draw: st.DrawFn) -> bytes:
    lines = list(draw(st.sampled_from(SEED_LINES)))
    for _ in range(draw(st.integers(0, 8))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "duplicate", "truncate", "swap", "shuffle"]))
        if action == "drop":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "truncate":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            window = lines[index : index + 20]
            lines[index : index + 20] = draw(st.permutations(window))
        if not lines:
            lines = [""]
    data = bytearray("".join(lines).encode("utf-8"))
    for _ in range(draw(st.integers(0, 4))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


def load(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            result = read_plans([path])
        except InputError as err:
            assert str(err).startswith(str(path)), str(err)
            return
        for problem in result.problems:
            assert problem.file == str(path) and problem.line >= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_documents(), st.sampled_from([".txt", ".yaml"]))
def test_mangled_seeds_fail_only_with_input_errors(data: bytes, suffix: str) -> None:
    load(data, suffix)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from([".txt", ".yaml"]))
def test_random_bytes_fail_only_with_input_errors(data: bytes, suffix: str) -> None:
    load(data, suffix)
