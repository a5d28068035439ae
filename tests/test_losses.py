"""nets.losses: values against closed forms, gradients against finite differences."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad, gradcheck
from nets import MLP, losses


def test_mse():
    loss = losses.mse([1.0, 2.0, 4.0], [1.0, 0.0, 1.0])
    assert loss.data == pytest.approx((0 + 4 + 9) / 3)
    assert gradcheck(lambda a, b: losses.mse([a, b], [0.5, -1.0]), [0.2, 0.7])


def test_binary_cross_entropy():
    p = [0.9, 0.2, 0.6]
    t = [1, 0, 1]
    want = -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3
    assert losses.binary_cross_entropy(p, t).data == pytest.approx(want)
    assert gradcheck(lambda a, b: losses.binary_cross_entropy([a, b], [1, 0.3]), [0.7, 0.4])


def test_binary_cross_entropy_saturated_probabilities_are_clamped():
    # log(0) would be -inf; like PyTorch each log is clamped at -100.
    assert losses.binary_cross_entropy([0.0], [1]).data == pytest.approx(100.0)
    assert losses.binary_cross_entropy([1.0], [1]).data == 0.0
    assert losses.binary_cross_entropy([1.0], [0]).data == pytest.approx(100.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.binary_cross_entropy([1.5], [1])
    with pytest.raises(ValueError, match=r"targets must lie"):
        losses.binary_cross_entropy([0.5], [2])


# |z| <= 15 keeps 1 - sigmoid(z) accurate enough for the reference formula.
@given(st.floats(-15, 15), st.sampled_from([0.0, 1.0, 0.25]))
def test_bce_with_logits_equals_bce_of_sigmoid(z, t):
    a = losses.binary_cross_entropy_with_logits([z], [t]).data
    p = 1 / (1 + math.exp(-z))
    b = losses.binary_cross_entropy([p], [t]).data
    assert a == pytest.approx(b, rel=1e-6, abs=1e-9)


def test_bce_with_logits_is_stable_and_has_gradient_sigmoid_minus_target():
    z = Value(-1000.0)
    loss = losses.binary_cross_entropy_with_logits([z], [1])
    assert loss.data == pytest.approx(1000.0)
    loss.backward()
    assert z.grad == pytest.approx(-1.0)
    assert gradcheck(
        lambda a, b: losses.binary_cross_entropy_with_logits([a, b], [1, 0]), [0.3, -2.0]
    )


def test_hinge():
    loss = losses.hinge([2.0, 0.5, -0.5], [1, 1, 1])
    assert loss.data == pytest.approx((0 + 0.5 + 1.5) / 3)
    assert gradcheck(lambda a, b: losses.hinge([a, b], [1, -1]), [0.3, 0.2])
    with pytest.raises(ValueError, match="-1 or \\+1"):
        losses.hinge([0.5], [0])


def test_mean_is_computed_like_micrograd():
    ls = [Value(0.1), Value(0.7), Value(0.25)]
    assert losses.mean(ls).data == (0 + 0.1 + 0.7 + 0.25) * (1.0 / 3)


def test_cross_entropy_value_and_gradient():
    zs = [Value(1.0), Value(2.0), Value(0.5)]
    loss = losses.cross_entropy(zs, 1)
    lse = math.log(sum(math.exp(z.data) for z in zs))
    assert loss.data == pytest.approx(lse - 2.0)
    loss.backward()
    soft = [math.exp(z.data - lse) for z in zs]
    assert [z.grad for z in zs] == pytest.approx([soft[0], soft[1] - 1, soft[2]])
    assert gradcheck(lambda a, b, c: losses.cross_entropy([a, b, c], 2), [0.1, -0.3, 1.7])


@pytest.mark.parametrize("target, want", [(0, 0.0), (1, 2000.0)])
def test_cross_entropy_at_plus_minus_1000(target, want):
    zs = [Value(1000.0), Value(-1000.0)]
    loss = losses.cross_entropy(zs, target)
    assert loss.data == want
    loss.backward()
    one_hot = [1.0 if i == target else 0.0 for i in range(2)]
    softmax = [1.0, 0.0]
    assert [z.grad for z in zs] == [s - o for s, o in zip(softmax, one_hot)]


@given(
    st.lists(st.floats(-1e4, 1e4), min_size=2, max_size=5),
    st.data(),
)
def test_cross_entropy_finite_and_gradient_is_softmax_minus_one_hot(logits, data):
    k = data.draw(st.integers(0, len(logits) - 1))
    zs = [Value(z) for z in logits]
    loss = losses.cross_entropy(zs, k)
    assert math.isfinite(loss.data) and loss.data >= 0.0
    loss.backward()
    m = max(logits)
    e = [math.exp(z - m) for z in logits]
    s = math.fsum(e)
    for i, z in enumerate(zs):
        assert z.grad == pytest.approx(e[i] / s - (i == k), abs=1e-12)


def test_cross_entropy_bad_target():
    with pytest.raises(ValueError, match=r"\[0, 2\] for 3 logits, got 3"):
        losses.cross_entropy([1.0, 2.0, 3.0], 3)
    with pytest.raises(ValueError):
        losses.cross_entropy([1.0, 2.0], True)


def test_mean_cross_entropy():
    batch = [[1.0, 0.0], [0.0, 3.0]]
    got = losses.mean_cross_entropy(batch, [0, 1]).data
    want = (losses.cross_entropy(batch[0], 0).data + losses.cross_entropy(batch[1], 1).data) / 2
    assert got == pytest.approx(want)


def test_l2():
    m = MLP(2, [2, 1])
    want = 1e-4 * sum(p.data**2 for p in m.parameters())
    assert losses.l2(m).data == pytest.approx(want)
    assert losses.l2(m.parameters(), alpha=0.5).data == pytest.approx(want * 5000)
    assert gradcheck(lambda a, b: losses.l2([a, b], 0.1), [0.5, -2.0])


def test_length_mismatch_and_empty_lists():
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        losses.mse([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="empty"):
        losses.hinge([], [])


def test_a_single_prediction_and_target_is_a_list_of_one():
    assert losses.mse(Value(0.5), 1.0).data == 0.25
    assert losses.hinge(Value(0.5), -1).data == 1.5
    assert losses.binary_cross_entropy(0.25, 0).data == pytest.approx(-math.log(0.75))
    z = Value(0.3)
    want = losses.binary_cross_entropy_with_logits([z], [1]).data
    assert losses.binary_cross_entropy_with_logits(z, 1).data == want


def test_class_labels_are_integers_of_any_integer_type():
    np = pytest.importorskip("numpy")
    zs = [1.0, 2.0, 0.5]
    want = losses.cross_entropy(zs, 1).data
    assert losses.cross_entropy(zs, np.int64(1)).data == want
    labels = np.argmax([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], axis=1)  # numpy integers
    got = losses.mean_cross_entropy([zs, zs], labels).data
    assert got == pytest.approx((want + losses.cross_entropy(zs, 2).data) / 2)
    for bad in (1.7, 1.0, True, np.bool_(True), "1"):
        with pytest.raises(ValueError, match=r"target_index must be an integer"):
            losses.cross_entropy(zs, bad)
        with pytest.raises(ValueError, match=r"target_index must be an integer"):
            losses.mean_cross_entropy([zs], [bad])


# ---- the fused ops: one node each, with a rule that holds for any numbers ------------


def _composite_cross_entropy(zs, k):
    # The formula from elementary Value ops (as nets built it before the fused op):
    # m and the dropped terms are decided from the numbers, then frozen in the graph.
    m = max(z.data for z in zs)
    live = [(z - m).exp() for z in zs if z.data - m > -746.0]
    return sum(live[1:], live[0]).log() - (zs[k] - m)


finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@given(st.lists(finite, min_size=2, max_size=6), st.data())
def test_fused_cross_entropy_gives_the_bits_of_the_composite_formula(logits, data):
    k = data.draw(st.integers(0, len(logits) - 1))
    fused = losses.cross_entropy([Value(z) for z in logits], k)
    zs = [Value(z) for z in logits]
    composite = _composite_cross_entropy(zs, k)
    assert fused.data == composite.data  # the same float operations, in the same order
    assert grad(fused, fused._prev[:-1]) == pytest.approx(grad(composite, zs), abs=1e-15)


def test_fused_cross_entropy_is_one_node_whose_label_is_an_input():
    zs = [Value(0.5), Value(-1.0), Value(2.0)]
    loss = losses.cross_entropy(zs, 2)
    assert loss._op == "cross_entropy" and loss._prev[:3] == tuple(zs)
    label = loss._prev[3]
    assert label.data == 2.0 and not label._prev
    loss.backward()
    assert label.grad == 0.0  # the label is data: nothing flows into it
    assert losses.cross_entropy_op(3) is loss._op  # one op per number of classes


@given(st.lists(st.floats(-30, 30), min_size=2, max_size=4), st.data())
def test_fused_cross_entropy_second_derivatives_are_diag_p_minus_p_p(logits, data):
    # The rule runs on Values too: the Hessian of -log softmax(z)[k] is diag(p) - p p^T.
    k = data.draw(st.integers(0, len(logits) - 1))
    zs = [Value(z) for z in logits]
    loss = losses.cross_entropy(zs, k)
    first = grad(loss, zs, create_graph=True)
    m = max(logits)
    e = [math.exp(z - m) for z in logits]
    p = [x / math.fsum(e) for x in e]
    for i, gi in enumerate(first):
        assert gi.data == pytest.approx(p[i] - (i == k), abs=1e-12)
        row = grad(gi, zs)
        want = [(p[i] if i == j else 0.0) - p[i] * p[j] for j in range(len(zs))]
        assert row == pytest.approx(want, abs=1e-12)


def test_fused_cross_entropy_matches_central_differences_far_from_zero():
    for centre in (0.0, 600.0, -900.0):
        xs = [centre + 0.3, centre - 1.1, centre + 2.0, centre]
        for k in range(4):
            assert gradcheck(lambda *zs, k=k: losses.cross_entropy(list(zs), k), xs)


def test_fused_cross_entropy_overflow_names_the_operation():
    # Logits 2e308 apart: z_k - max z itself is beyond the float range.
    with pytest.raises(OverflowError, match=r"sub: .* too large"):
        losses.cross_entropy([1e308, -1e308], 1)
    assert losses.cross_entropy([1e308, -1e308], 0).data == 0.0


def test_clamped_logs_of_binary_cross_entropy():
    assert gradcheck(lambda p: losses.binary_cross_entropy([p], [0.3]), [0.6])
    assert gradcheck(lambda p: losses.LOG_P(p), [0.2])
    assert gradcheck(lambda p: losses.LOG_1MP(p), [0.2])
    for p, t in ((0.0, 1), (1.0, 0)):
        v = Value(p)
        loss = losses.binary_cross_entropy([v], [t])
        assert loss.data == 100.0
        loss.backward()
        assert v.grad == 0.0  # the clamp is flat
    # The second derivative of the rule: d^2/dp^2 ln p = -1/p^2.
    v = Value(0.25)
    (d1,) = grad(losses.LOG_P(v), [v], create_graph=True)
    assert grad(d1, [v]) == [pytest.approx(-16.0)]
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\], got -0.5"):
        losses.binary_cross_entropy([-0.5], [0])
