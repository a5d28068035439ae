"""autograd.viz.steps: the backward pass step by step, its pictures, files and slider."""

from __future__ import annotations

import base64
import doctest
import html
import math
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.viz.steps
from autograd import Value, topological_order
from autograd.viz.draw import STATES, GraphvizNotFoundError
from autograd.viz.steps import (
    RECORD,
    BackwardSteps,
    StepPictures,
    StepPlayer,
    backward_steps,
    draw_step,
    name_of,
    save_steps,
    step_player,
    step_slider,
)


def require_dot() -> None:
    if shutil.which("dot") is None:
        pytest.fail(
            "Graphviz's dot program is not installed; run 'make test' or apt-get install graphviz"
        )


def lecture() -> tuple[Value, Value, Value, Value]:
    """The (x + y) * z example of backprop lectures, at (-2, 5, -4)."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    return (x + y) * z, x, y, z


def test_the_lecture_example_fills_in_minus_4_minus_4_and_3():
    f, x, y, z = lecture()
    steps = backward_steps(f)
    assert len(steps) == 3
    seed, first, second = steps
    assert seed.node is f and seed.upstream == 1.0 and seed.finished == (f,)
    q = f._prev[0]  # x + y
    assert first.node is f and first.inputs == (q, z)
    assert first.local == (-4.0, 3.0) and first.added == (-4.0, 3.0)
    assert set(first.finished) == {q, z}
    assert second.node is q and second.upstream == -4.0 and second.added == (-4.0, -4.0)
    assert set(second.finished) == {x, y}
    assert steps.grads(0) == {f: 1.0}
    assert steps.grads(1) == {f: 1.0, q: -4.0, z: 3.0}
    assert steps.grads() == {f: 1.0, q: -4.0, z: 3.0, x: -4.0, y: -4.0}
    assert steps.states(0) == {f: "final", q: "pending", z: "pending", x: "pending", y: "pending"}
    assert steps.states(1) == {f: "current", q: "final", z: "final", x: "pending", y: "pending"}
    assert steps.states(2) == {f: "final", q: "current", z: "final", x: "final", y: "final"}
    assert str(steps).splitlines() == [
        "step 0: the output (x + y) * z starts with gradient 1 (d out / d out)",
        "step 1: (x + y) * z passes its gradient 1 on: x + y gets 1 * -4 = -4 (final); "
        "z gets 1 * 3 = 3 (final)",
        "step 2: x + y passes its gradient -4 on: x gets -4 * 1 = -4 (final); "
        "y gets -4 * 1 = -4 (final)",
    ]


def test_the_module_example_runs():
    assert doctest.testmod(autograd.viz.steps).failed == 0


def test_steps_leave_every_grad_alone():
    f, *_ = lecture()
    backward_steps(f)
    assert [v.grad for v in topological_order(f)] == [0.0] * 5
    f.backward()
    before = [v.grad for v in topological_order(f)]
    steps = backward_steps(f)
    steps.draw(1)
    assert [v.grad for v in topological_order(f)] == before


def test_a_shared_input_is_partial_until_its_last_use():
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    out = a * b + a  # a is used twice
    steps = backward_steps(out)
    mul = out._prev[0]
    # The sum passes first: a receives 1 from it but still waits for the product.
    assert steps[1].node is out
    assert steps.states(1)[a] == "partial" and steps.grads(1)[a] == 1.0
    assert steps[2].node is mul and a in steps[2].finished
    assert steps.states(2)[a] == "final" and steps.grads(2)[a] == 3.0
    assert "a gets 1 * 2 = 2 (total 3, final)" in str(steps[2])


def test_a_times_a_passes_two_shares_to_the_same_input():
    a = Value(3.0, label="a")
    steps = backward_steps(a * a)
    assert steps[1].added == (3.0, 3.0)
    assert steps.grads()[a] == 6.0
    assert str(steps[1]).endswith("a gets 1 * 3 = 3; a gets 1 * 3 = 3 (total 6, final)")


# Random graphs with shared subexpressions, built from ops that are safe everywhere.
_UNARY = [
    Value.tanh,
    Value.sigmoid,
    Value.sin,
    Value.cos,
    Value.softplus,
    lambda v: v * v,
    lambda v: -v,
    Value.relu,
    lambda v: v.leaky_relu(0.1),
    Value.abs,
]
_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0),
]


@st.composite
def graphs(draw):
    nodes = [Value(draw(st.floats(-3, 3)), label=f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(1, 25))):
        if draw(st.booleans()):
            f = draw(st.sampled_from(_UNARY))
            nodes.append(f(draw(st.sampled_from(nodes))))
        else:
            f = draw(st.sampled_from(_BINARY))
            nodes.append(f(draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))))
    return nodes[-1]


@settings(max_examples=60)
@given(graphs())
def test_the_last_step_gives_exactly_the_engines_gradients(out):
    steps = backward_steps(out)
    out.backward()
    final = steps.grads()
    order = topological_order(out)
    assert {v: final.get(v, 0.0) for v in order} == {v: v.grad for v in order}
    # every non-leaf passes its gradient exactly once, in reverse topological order
    assert [s.node for s in steps[1:]] == [v for v in reversed(order) if v._prev]
    # at the end every gradient is final; each is final exactly once
    finished = [v for s in steps for v in s.finished]
    assert len(finished) == len(set(finished)) == len(order)
    assert set(steps.states().values()) <= {"final", "current"}


def test_zero_gradients_skip_rules_as_the_engine_does():
    x = Value(0.0, label="x")
    out = Value(0.0, label="c") * x.sqrt()  # sqrt's gradient is 0: its rule is never used
    steps = backward_steps(out)
    out.backward()
    assert steps.grads()[x] == x.grad == 0.0
    assert "nothing to pass" in str(steps[-1])
    with pytest.raises(ZeroDivisionError):  # a nonzero gradient does need the rule
        backward_steps(Value(1.0) * x.sqrt())


def test_nodes_built_by_hand_without_a_rule():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = Value(5.0, (a, b), "+")  # micrograd style: a name, not an Op
    steps = backward_steps(c)
    c.backward()
    assert steps[1].local is None and "no derivative rule" in str(steps[1])
    assert steps.grads()[a] == a.grad == 0.0


def test_overflowing_gradients_fail_as_in_the_engine():
    x = Value(1e-300, label="x")
    out = x.sqrt().sqrt().sqrt() * 1e100  # finite, but d out / dx is about 4e361
    with pytest.raises(OverflowError):
        out.backward()
    with pytest.raises(OverflowError):
        backward_steps(out)


def test_step_numbers_are_checked():
    f, *_ = lecture()
    steps = backward_steps(f)
    assert steps.grads(-1) == steps.grads(2)
    with pytest.raises(IndexError, match="0 to 2"):
        steps.draw(3)
    with pytest.raises(TypeError):
        steps.grads(1.5)
    with pytest.raises(TypeError, match="Value"):
        backward_steps(1.0)
    assert isinstance(steps, BackwardSteps) and steps[1:] == [steps[1], steps[2]]
    assert "3 steps over 5 values" in repr(steps)


@pytest.mark.parametrize(
    ("build", "text"),
    [
        (lambda a, b: (a + b) * a, "(a + b) * a"),
        (lambda a, b: a - (b - a), "a - (b - a)"),
        (lambda a, b: -((a * b) ** 2), "-(a * b)**2"),
        (lambda a, b: (a / b).tanh() + 2, "tanh(a / b) + 2"),
        (lambda a, b: a.leaky_relu(0.2).relu(), "relu(leaky_relu(a, 0.2))"),
        (lambda a, b: (((a + b).exp() + 1).log() * 2) - 1, "log(...) * 2 - 1"),
    ],
)
def test_names_of_unlabelled_values(build, text):
    assert name_of(build(Value(1.0, label="a"), Value(2.0, label="b"))) == text


# ---- pictures -------------------------------------------------------------------------


def fill(source: str, name: str) -> str:
    return re.search(rf"^\s*{name} \[label=<<TABLE[^>]*BGCOLOR=\"([^\"]+)\"", source, re.M).group(1)


def test_pictures_show_final_current_partial_and_pending():
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    out = a * b + a
    steps = backward_steps(out)
    order = steps.order
    name = {v: f"n{i}" for i, v in enumerate(order)}
    source = steps.draw(1, legend=True).source
    assert fill(source, name[out]) == STATES["current"].fill
    assert fill(source, name[a]) == STATES["partial"].fill
    assert fill(source, name[out._prev[0]]) == STATES["final"].fill
    assert fill(source, name[b]) == STATES["pending"].fill
    assert "grad ?" in source and "step 1 of 2" in source
    for state in STATES.values():
        assert state.legend in source
    # the gradient flows along the current node's input edges, and only there
    assert source.count("penwidth=2.5") == 2
    assert draw_step(steps, 1).source == draw_step(out, 1).source


def test_every_step_has_the_same_layout():
    require_dot()
    x, y, w = Value(-2.0, label="x"), Value(5.0, label="y"), Value(0.5, label="w")
    out = ((x * w + y) * (x - y)).tanh() / 3
    steps = backward_steps(out)
    layouts = set()
    for k in range(len(steps)):
        plain = subprocess.run(
            ["dot", "-Tplain"], input=steps.draw(k).source.encode(), capture_output=True, check=True
        ).stdout.decode()
        lines = [line for line in plain.splitlines() if line.startswith(("graph", "node"))]
        layouts.add(tuple(tuple(line.split()[:6]) for line in lines))
    assert len(layouts) == 1


def test_save_steps_writes_one_file_per_step(tmp_path):
    require_dot()
    f, *_ = lecture()
    paths = save_steps(f, tmp_path / "frames")
    assert [p.name for p in paths] == ["step_00.svg", "step_01.svg", "step_02.svg"]
    assert all(p.read_text().lstrip().startswith("<?xml") for p in paths)
    assert "grad &#45;4" in paths[2].read_text() and "grad ?" in paths[0].read_text()
    pngs = backward_steps(f).save(tmp_path / "png", format="png", precision=2)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    dots = save_steps(f, tmp_path / "dot", "dot")
    assert dots[1].read_text() == backward_steps(f).draw(1).source
    with pytest.raises(ValueError, match="format"):
        save_steps(f, tmp_path / "x", "bmp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dot", "frames", "png"]


def test_save_steps_without_dot_fails_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    f, *_ = lecture()
    with pytest.raises(GraphvizNotFoundError, match="apt-get"):
        save_steps(f, tmp_path / "frames")
    assert not (tmp_path / "frames").exists()


def test_the_slider_moves_through_the_steps():
    require_dot()
    f, *_ = lecture()
    box = step_slider(f)
    (play, slider), picture = box.children[0].children, box.children[1]
    assert (slider.min, slider.max, play.max) == (0, 2, 2)
    assert "<svg" in picture.value and "step 0 of 2" in picture.value
    slider.value = 2
    assert "step 2 of 2" in picture.value


def test_without_ipywidgets_every_step_is_shown(monkeypatch):
    require_dot()
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails
    f, *_ = lecture()
    with pytest.warns(UserWarning, match="ipywidgets"):
        pictures = backward_steps(f).slider()
    assert isinstance(pictures, StepPictures) and len(pictures) == 3
    html = pictures._repr_html_()
    assert html.count("<svg") == 3


def test_big_graphs_step_pictures_are_cut_too():
    v = Value(0.3, label="x")
    for _ in range(3000):
        v = v.sin()
    steps = backward_steps(v)
    assert len(steps) == 3001
    source = steps.draw(2, max_nodes=50).source
    assert "showing 50 of 3,001 values" in source
    assert math.isclose(steps.grads()[steps.order[0]], _chain_derivative(0.3, 3000))


def _chain_derivative(x: float, n: int) -> float:
    d = 1.0
    for _ in range(n):
        d *= math.cos(x)
        x = math.sin(x)
    return d


def test_step_pictures_of_hostile_labels_render():
    require_dot()
    labels = ["<b>", "{a|b}", "\\N", '"q"', "&amp;", "日本", "nul\x00", "a\nb"]
    leaves = [Value(float(i + 1), label=label) for i, label in enumerate(labels)]
    out = leaves[0]
    for leaf in leaves[1:]:
        out = out * leaf
    steps = backward_steps(out)
    for k in (0, 1, len(steps) - 1):
        svg = steps.draw(k, legend=True, title="<title> & \\G").pipe(format="svg", encoding="utf-8")
        assert "&lt;b&gt;" in svg and "\\N" in svg and "&lt;title&gt; &amp; \\G" in svg


def test_a_cut_picture_still_shows_the_current_step():
    x = Value(0.3, label="x")
    y = x
    for _ in range(1500):
        y = y * 0.999
    steps = backward_steps(y)
    k = len(steps) - 2  # far from the output, outside the first max_nodes Values
    source = steps.draw(k, max_nodes=50).source
    current = steps[k].node
    assert f"{current.data:.4g}" in source and "showing" in source
    assert steps.states(k)[current] == "current"


# ---- bounds and leftovers -------------------------------------------------------------


def long_sum(terms: int) -> Value:
    x = Value(1.0, label="x")
    out = x
    for _ in range(terms - 1):
        out = out + x
    return out


def test_too_many_step_pictures_are_refused_before_anything_is_drawn(tmp_path):
    out = long_sum(150)  # 150 steps
    with pytest.raises(ValueError, match=r"150 steps, more than max_steps=100.*max_steps=150"):
        save_steps(out, tmp_path / "frames", "dot")
    assert not (tmp_path / "frames").exists()
    assert len(save_steps(out, tmp_path / "frames", "dot", max_steps=150)) == 150
    assert len(save_steps(long_sum(3), tmp_path / "few", "dot", max_steps=None)) == 3


def test_a_reused_folder_holds_only_the_new_run_and_other_files_stay(tmp_path):
    folder = tmp_path / "frames"
    save_steps(long_sum(12), folder, "gv")  # step_00.gv ... step_11.gv
    (folder / "notes.txt").write_text("mine")
    f, *_ = lecture()
    save_steps(f, folder, "dot")
    assert sorted(p.name for p in folder.iterdir()) == [
        RECORD,
        "notes.txt",
        "step_00.dot",
        "step_01.dot",
        "step_02.dot",
    ]
    assert (folder / "step_01.dot").read_text() == backward_steps(f).draw(1).source


def test_only_the_pictures_save_steps_wrote_are_removed(tmp_path):
    # Issue 19: `draw --steps d` once deleted the user's d/step_7.png and d/step_123.pdf.
    folder = tmp_path / "d"
    folder.mkdir()
    theirs = {"step_7.png": b"a photo", "step_123.pdf": b"a paper", "step_05.gv": b"a sketch"}
    for name, data in theirs.items():
        (folder / name).write_bytes(data)
    save_steps(long_sum(8), folder, "dot")  # step_00.dot ... step_07.dot
    (folder / "step_06.dot").write_text("edited by hand since")  # no longer what was written
    f, *_ = lecture()
    save_steps(f, folder, "dot")
    left = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != RECORD}
    assert left == {
        **theirs,
        "step_00.dot": backward_steps(f).draw(0).source.encode(),
        "step_01.dot": backward_steps(f).draw(1).source.encode(),
        "step_02.dot": backward_steps(f).draw(2).source.encode(),
        "step_06.dot": b"edited by hand since",
    }


@pytest.mark.parametrize(
    "record",
    [
        b"not json",
        b'{"format": "valuegrad.steps", "frames": ["step_00.dot"]}',
        b'{"format": "valuegrad.steps", "frames": {"step_00.dot": 5}}',
        b'{"format": "other", "frames": {}}',
        b"[" * 100_000,
        b" " * (2 << 20),
    ],
    ids=["text", "list", "digest_number", "other_format", "nested", "huge"],
)
def test_a_damaged_record_removes_nothing(tmp_path, record):
    folder = tmp_path / "d"
    save_steps(long_sum(5), folder, "dot")
    (folder / RECORD).write_bytes(record)
    save_steps(long_sum(2), folder, "dot")
    assert sorted(p.name for p in folder.iterdir()) == [RECORD] + [
        f"step_0{k}.dot" for k in range(5)
    ]


def test_a_record_naming_other_files_removes_none_of_them(tmp_path):
    import hashlib
    import json

    folder = tmp_path / "d"
    folder.mkdir()
    victims = {tmp_path / "victim.dot": b"outside", folder / "notes.txt": b"inside"}
    for path, data in victims.items():
        path.write_bytes(data)
    digest = {
        name: hashlib.sha256(b"outside" if "victim" in name else b"inside").hexdigest()
        for name in ("../victim.dot", "notes.txt", str(tmp_path / "victim.dot"))
    }
    (folder / RECORD).write_text(json.dumps({"format": "valuegrad.steps", "frames": digest}))
    save_steps(long_sum(2), folder, "dot")
    assert all(path.read_bytes() == data for path, data in victims.items())


def test_a_record_that_is_a_fifo_is_not_waited_on(tmp_path):
    import os

    folder = tmp_path / "d"
    folder.mkdir()
    os.mkfifo(folder / RECORD)
    save_steps(long_sum(2), folder, "dot")  # the record is replaced, never read
    assert (folder / RECORD).is_file()


def test_an_old_picture_name_that_is_a_folder_is_left_alone(tmp_path):
    # Issue 19: a folder d/step_09.svg made the command write the new pictures and then
    # fail with "Is a directory".
    folder = tmp_path / "d"
    (folder / "step_09.svg").mkdir(parents=True)
    save_steps(long_sum(3), folder, "dot")
    assert (folder / "step_09.svg").is_dir() and (folder / "step_02.dot").is_file()


def test_a_new_picture_name_that_is_a_folder_is_refused_before_writing(tmp_path):
    folder = tmp_path / "d"
    save_steps(long_sum(3), folder, "dot")
    (folder / "step_09.dot").mkdir()
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    with pytest.raises(IsADirectoryError) as caught:
        save_steps(long_sum(12), folder, "dot")
    assert caught.value.filename == str(folder / "step_09.dot")
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in folder.iterdir()) == sorted([*before, "step_09.dot"])


def test_a_failed_save_into_a_new_folder_leaves_no_folder(tmp_path, monkeypatch):
    import errno

    import autograd.support.files

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(autograd.support.files, "_write_temporary", disk_full)
    with pytest.raises(OSError, match="No space"):
        save_steps(long_sum(3), tmp_path / "new" / "deep" / "frames", "dot")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_leaves_the_previous_pictures_untouched(tmp_path, monkeypatch):
    folder = tmp_path / "frames"
    f, *_ = lecture()
    save_steps(f, folder, "dot")
    before = {p.name: p.read_text() for p in folder.iterdir()}
    real_draw = BackwardSteps.draw

    def failing_draw(self, k, **options):
        if k == 5:
            raise OSError("disk full")
        return real_draw(self, k, **options)

    monkeypatch.setattr(BackwardSteps, "draw", failing_draw)
    with pytest.raises(OSError, match="disk full"):
        save_steps(long_sum(8), folder, "dot")
    assert {p.name: p.read_text() for p in folder.iterdir()} == before


def test_a_leaf_may_overflow_in_the_tolerant_replay():
    x = Value(1.0, label="x")
    tiny = Value(1e-300)
    out = x * 1e300 * tiny * 1e300  # d out / d tiny = 1e600: inf; d out / d x = 1e300
    with pytest.raises(OverflowError, match="overflowed"):
        backward_steps(out)
    grads = backward_steps(out, strict=False).grads()
    assert grads[x] == pytest.approx(1e300) and grads[tiny] == math.inf
    inner = (x * 1e-300) * 1e300 * 1e300  # d inner / d (x * 1e-300) = 1e600
    with pytest.raises(OverflowError, match="overflowed"):  # never tolerated inside
        backward_steps(inner, strict=False)


# ---- the player (reads without a kernel) ----------------------------------------------


def frames_of(page: str) -> list[tuple[int, str, str]]:
    """(step, picture SVG, words) for each frame of a player's HTML."""
    found = re.findall(
        r'<figure class="vg-frame" data-step="(\d+)"[^>]*>'
        r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"[^>]*>'
        r"<figcaption[^>]*>(.*?)</figcaption></figure>",
        page,
    )
    return [(int(k), base64.b64decode(data).decode("utf-8"), words) for k, data, words in found]


def test_the_player_holds_every_step_with_its_words_under_it():
    require_dot()
    f, *_ = lecture()
    steps = backward_steps(f)
    player = steps.player()
    assert isinstance(player, StepPlayer) and len(player) == 3
    page = player._repr_html_()
    frames = frames_of(page)
    assert [k for k, _, _ in frames] == [0, 1, 2]
    for k, svg, words in frames:
        assert words == html.escape(f"step {k} of 2: {steps[k].describe()}")
        assert svg == steps.draw(k, caption=False)._repr_svg_()
        assert "passes its gradient" not in svg and "starts with" not in svg  # words: below
    assert "grad &#45;4" in frames[2][1] and "grad ?" in frames[0][1]
    # Without a caption every frame has the same size, so nothing jumps when flipping.
    sizes = {
        re.search(r'<svg width="([\d.]+pt)" height="([\d.]+pt)"', svg).groups()
        for _, svg, _ in frames
    }
    assert len(sizes) == 1
    assert page.count("<script>") == 1 and "<svg" not in page  # pictures are images: no id clashes
    assert str(player).splitlines() == [f"step {k} of 2: {steps[k]}" for k in range(3)]
    assert step_player(f)._repr_html_().count('class="vg-frame"') == 3


def test_the_player_escapes_labels_and_has_its_own_id():
    require_dot()
    a, b = Value(2.0, label="<script>alert(1)</script>"), Value(3.0, label='b & "c"')
    out = a * b
    page = backward_steps(out).player().html()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; gets" in page and "b &amp; &quot;c&quot;" in page
    ids = {
        re.search(r'id="(valuegrad-player-[^"]+)"', backward_steps(out).player().html())[1]
        for _ in range(2)
    }
    assert len(ids) == 2  # two players in one page do not drive each other


def test_the_player_shows_the_chosen_frames():
    require_dot()
    f, *_ = lecture()
    steps = backward_steps(f)
    player = steps.player(frames=[0, -1], precision=2, rankdir="TB")
    assert player.frames == [0, 2]
    frames = frames_of(player.html())
    assert [k for k, _, _ in frames] == [0, 2]
    assert frames[1][1] == steps.draw(2, caption=False, precision=2, rankdir="TB")._repr_svg_()
    with pytest.raises(IndexError, match="step 3 does not exist"):
        steps.player(frames=[3])
    with pytest.raises(TypeError, match="must be an int"):
        steps.player(frames=["1"])
    with pytest.raises(ValueError, match="frames is empty"):
        steps.player(frames=[])
    for bad in (0, -1.5, math.inf, math.nan):
        with pytest.raises(ValueError, match="interval must be a positive number"):
            steps.player(interval=bad)
    with pytest.raises(TypeError, match="interval must be a number"):
        steps.player(interval="fast")


def test_a_long_backward_pass_asks_which_frames_to_embed():
    x = Value(0.5, label="x")
    y = x
    for _ in range(150):
        y = y * 1.001
    steps = backward_steps(y)
    with pytest.raises(ValueError, match=r"151 frames are too many .* frames=range\(0, 151, 2\)"):
        steps.player()
    assert len(steps.player(frames=range(0, 151, 2))) == 76  # drawn only when shown


def test_the_player_saves_a_page_of_its_own(tmp_path):
    require_dot()
    f, *_ = lecture()
    path = backward_steps(f).player().save(tmp_path / "steps.html")
    assert path == tmp_path / "steps.html" and [p.name for p in tmp_path.iterdir()] == [
        "steps.html"
    ]
    page = path.read_text(encoding="utf-8")
    assert (
        page.startswith("<!DOCTYPE html>")
        and "<title>The backward pass of (x + y) * z</title>" in page
    )
    assert len(frames_of(page)) == 3


def test_the_player_without_dot_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    f, *_ = lecture()
    with pytest.raises(GraphvizNotFoundError, match="apt-get"):
        step_player(f)


def test_the_player_plays_in_a_browser(tmp_path):
    """Runs the player's script in headless Chromium: one frame at a time, the buttons move."""
    require_dot()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    f, *_ = lecture()
    page = backward_steps(f).player().save(tmp_path / "steps.html").read_text()
    clicks = (
        '<script>var b = document.querySelectorAll(".vg-controls button");'
        "b[4].click(); b[1].click(); b[1].click(); b[3].click();</script></body>"
    )
    (tmp_path / "clicked.html").write_text(page.replace("</body>", clicks))
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--dump-dom", (tmp_path / "clicked.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    shown = re.findall(r'<figure class="vg-frame" data-step="(\d)" style="([^"]*)"', dom)
    assert len(shown) == 3
    # last, back, back, next: step 1 is the one frame on show
    assert [k for k, style in shown if "display: none" not in style] == ["1"]
    assert dom.count('<button type="button"') == 5 and "step 1 of 2" in dom
