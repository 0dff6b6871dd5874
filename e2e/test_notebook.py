"""The sample notebook executed by nbconvert (through the kernelspec) and by
`gosys run` (its own headless runner) gives the same outputs."""

import copy
import json
import os
import shutil
import subprocess

import pytest

from harness import gosys_binary

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "testdata", "sample.ipynb")
RUN_TIMEOUT = 180

EXPECTED = [  # (index in the notebook's cells, an output that cell must have)
    (2, {"output_type": "stream", "name": "stdout", "text": "hello from gosys\nsecond line\n"}),
    (3, {"output_type": "execute_result", "data": {"text/plain": "42"}}),
    (4, {"output_type": "display_data", "data": {"text/html": "<b>bold</b> text"}}),
    (5, {"output_type": "stream", "name": "stderr", "text": "to stderr\n"}),
    (6, {"output_type": "execute_result", "data": {"text/plain": "[1 2 3]"}}),
]


def normalise(nb):
    """The outputs of each code cell, without what legitimately differs
    between runs: timings, execution metadata, transient ids. Consecutive
    stream outputs of one name are merged (nbclient merges them, a runner
    need not) and multi-line strings joined."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        outs = []
        for out in copy.deepcopy(cell.get("outputs", [])):
            if not out.get("metadata"):  # {} and absent are the same
                out.pop("metadata", None)
            out.pop("transient", None)
            if "text" in out and isinstance(out["text"], list):
                out["text"] = "".join(out["text"])
            for mime, val in out.get("data", {}).items():
                if isinstance(val, list):
                    out["data"][mime] = "".join(val)
            if (outs and out["output_type"] == "stream" and outs[-1]["output_type"] == "stream"
                    and outs[-1]["name"] == out["name"]):
                outs[-1]["text"] += out["text"]
                continue
            outs.append(out)
        cells.append({"execution_count": cell.get("execution_count"), "outputs": outs})
    return cells


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def matches(out, want):
    """Whether output out has every field of want (data: every MIME type)."""
    for key, value in want.items():
        if key == "data":
            if any(out.get("data", {}).get(mime) != v for mime, v in value.items()):
                return False
        elif out.get(key) != value:
            return False
    return True


def check_expected(nb, tool):
    for index, want in EXPECTED:
        cell = nb["cells"][index]
        outs = normalise({"cells": [cell]})[0]["outputs"]
        assert any(matches(o, want) for o in outs), f"{tool}: cell {index} lacks {want}; has {outs}"


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=RUN_TIMEOUT)
    assert p.returncode == 0, f"{cmd} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    work = tmp_path_factory.mktemp("nb")
    shutil.copy(SAMPLE, work / "sample.ipynb")
    run(["/usr/bin/jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.kernel_name=gosys", "--ExecutePreprocessor.timeout=60",
         "--output", "by-nbconvert.ipynb", "sample.ipynb"], work)
    run([gosys_binary(), "run", "sample.ipynb", "-o", "by-gosys-run.ipynb"], work)
    load = lambda name: json.loads((work / name).read_text())
    return {"source": load("sample.ipynb"), "nbconvert": load("by-nbconvert.ipynb"),
            "gosys run": load("by-gosys-run.ipynb")}


@pytest.mark.parametrize("tool", ["nbconvert", "gosys run"])
def test_outputs_are_right(executed, tool):
    check_expected(executed[tool], tool)
    counts = [c["execution_count"] for c in code_cells(executed[tool])]
    assert counts == list(range(1, len(counts) + 1)), f"{tool}: execution counts {counts}"


def test_same_outputs(executed):
    assert normalise(executed["gosys run"]) == normalise(executed["nbconvert"])


def test_sources_untouched(executed):
    for tool in ("nbconvert", "gosys run"):
        assert [c["source"] for c in executed[tool]["cells"]] == \
            [c["source"] for c in executed["source"]["cells"]], tool
    # Written to -o / --output: the sample itself has no outputs.
    assert all(not c.get("outputs") for c in code_cells(executed["source"]))
