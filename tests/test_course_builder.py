"""nets.course.builder: the student edition is written safely, or not at all.

Each test is one case of issue 18's "Build safely" list: it failed with the builder of
nets/course.py before the package (writing through links, wiping a learner's answers,
leaking a ``Teacher`` cell, writing before the audit, 0600 files, ``ok: 0 exercises`` for
a missing folder, a RecursionError traceback, "are the same file" after writing).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from coursekit import SQUARE, code, good_notebook, markdown, notebook, write

from nets import course
from nets.course import write_solutions_edition, write_student_edition


def tree(root: Path) -> dict[str, str]:
    """Every file under root (links as links) with a digest of its content."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    write(folder / "99_test.ipynb", good_notebook())
    (folder / "img").mkdir()
    (folder / "img" / "pic.svg").write_text("<svg/>")
    return folder


def test_a_linked_sub_folder_pointing_into_the_teacher_notebooks_is_refused(tmp_path):
    src = tmp_path / "notebooks"
    write(src / "part1" / "99_test.ipynb", good_notebook())
    dest = tmp_path / "student"
    dest.mkdir()
    (dest / "part1").symlink_to(src / "part1")
    before = tree(src)
    with pytest.raises(ValueError, match="symbolic link"):
        write_student_edition(src, dest)
    assert tree(src) == before  # the teacher's notebook still holds its solutions
    assert "y = x * x" in (src / "part1" / "99_test.ipynb").read_text()


def test_a_linked_picture_in_the_destination_is_refused(src, tmp_path):
    unrelated = tmp_path / "unrelated.txt"
    unrelated.write_text("keep me")
    dest = tmp_path / "student"
    (dest / "img").mkdir(parents=True)
    (dest / "img" / "pic.svg").symlink_to(unrelated)
    with pytest.raises(ValueError, match="symbolic link"):
        write_student_edition(src, dest)
    assert unrelated.read_text() == "keep me"
    assert not (dest / "99_test.ipynb").exists()  # nothing written


def test_building_again_never_wipes_a_learners_answers(src, tmp_path):
    dest = tmp_path / "student"
    write_student_edition(src, dest)
    assert write_student_edition(src, dest) == [dest / "99_test.ipynb"]  # unchanged: fine
    mine = dest / "99_test.ipynb"
    answered = mine.read_text().replace("raise NotImplementedError", "return x * x  #")
    mine.write_text(answered)
    with pytest.raises(ValueError, match=r"99_test\.ipynb changed since the builder last wrote it"):
        write_student_edition(src, dest)
    assert mine.read_text() == answered
    # The teacher's own update still reaches an untouched file.
    (src / "img" / "pic.svg").write_text("<svg version='2'/>")
    mine.unlink()
    write_student_edition(src, dest)
    assert (dest / "img" / "pic.svg").read_text() == "<svg version='2'/>"


def test_a_file_of_the_same_name_the_builder_did_not_write_is_kept(src, tmp_path):
    dest = tmp_path / "student"
    dest.mkdir()
    (dest / "99_test.ipynb").write_text("a learner's own notebook")
    with pytest.raises(ValueError, match="changed since the builder last wrote it"):
        write_student_edition(src, dest)
    assert (dest / "99_test.ipynb").read_text() == "a learner's own notebook"


@pytest.mark.parametrize("tag", ["Teacher", "TEACHER", "teacher ", " teacher"])
def test_teacher_tags_match_whatever_their_case_and_spaces(tmp_path, tag):
    src = tmp_path / "notebooks"
    nb = good_notebook()
    nb["cells"].append(markdown("**Answer.** x squared is x * x: SECRET", tag))
    write(src / "99_test.ipynb", nb)
    write_student_edition(src, tmp_path / "student")
    assert "SECRET" not in (tmp_path / "student" / "99_test.ipynb").read_text()


def test_tags_given_as_a_string_are_refused(tmp_path):
    src = tmp_path / "notebooks"
    nb = good_notebook()
    answer = markdown("**Answer.** SECRET")
    answer["metadata"]["tags"] = "teacher"
    nb["cells"].append(answer)
    write(src / "99_test.ipynb", nb)
    with pytest.raises(ValueError, match="'tags' must be a list of strings"):
        write_student_edition(src, tmp_path / "student")
    assert not (tmp_path / "student").exists()
    assert course.main(["check", "--source", str(src)]) == 1


def test_the_audit_runs_before_anything_is_written(tmp_path):
    src = tmp_path / "notebooks"
    write(src / "01_good.ipynb", good_notebook())
    # Markup that converts fine but fails the audit: a region no verify_exercise reaches.
    write(src / "02_unverified.ipynb", notebook(code(SQUARE, "solution")))
    with pytest.raises(ValueError, match="is not verified"):
        write_student_edition(src, tmp_path / "student")
    assert not (tmp_path / "student").exists()


def test_files_get_the_users_umask(src, tmp_path):
    old = os.umask(0o022)
    try:
        write_student_edition(src, tmp_path / "student")
    finally:
        os.umask(old)
    for path in (tmp_path / "student").rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o644, path


def test_check_of_a_missing_folder_fails_in_one_line(tmp_path, capsys):
    assert course.main(["check", "--source", str(tmp_path / "nonexistent")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no notebook folder" in err


def test_a_notebook_nested_100000_deep_is_one_line_and_writes_nothing(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    (src / "99_deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    for argv in (["check"], ["student", str(tmp_path / "student")]):
        done = subprocess.run(
            [sys.executable, "-m", "nets.course", *argv, "--source", str(src)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "nested too deeply" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "student").exists()


def test_a_destination_made_with_cp_rs_is_refused_before_writing(src, tmp_path):
    dest = tmp_path / "student"
    shutil.copytree(src, dest, copy_function=lambda a, b: os.symlink(os.path.abspath(a), b))
    before_src, before_dest = tree(src), tree(dest)
    with pytest.raises(ValueError, match="symbolic link"):
        write_student_edition(src, dest)
    assert tree(src) == before_src and tree(dest) == before_dest


def test_a_destination_that_is_the_source_under_another_name_is_refused(src, tmp_path):
    alias = tmp_path / "student"
    alias.symlink_to(src)
    before = tree(src)
    with pytest.raises(ValueError, match="is the notebook folder"):
        write_student_edition(src, alias)
    assert tree(src) == before


def test_the_record_of_what_was_written(src, tmp_path):
    dest = tmp_path / "student"
    write_student_edition(src, dest)
    record = json.loads((dest / course.builder.MANIFEST).read_text())
    assert record["edition"] == "student"
    assert set(record["files"]) == {"99_test.ipynb", "img/pic.svg", "README.md"}
    digest = hashlib.sha256((dest / "99_test.ipynb").read_bytes()).hexdigest()
    assert record["files"]["99_test.ipynb"] == digest


def test_the_solutions_edition_is_built_the_same_safe_way(src, tmp_path):
    dest = tmp_path / "solutions"
    write_solutions_edition(src, dest)
    text = (dest / "99_test.ipynb").read_text()
    assert "y = x * x" in text and "BEGIN SOLUTION" not in text
    assert "verify_exercise" not in text and "square_doubled" not in text
    assert not (dest / "README.md").exists()
    (dest / "99_test.ipynb").write_text("changed")
    with pytest.raises(ValueError, match="changed since"):
        write_solutions_edition(src, dest)
