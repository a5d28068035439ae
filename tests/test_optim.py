"""nets.optim: SGD (momentum, weight decay), Adam, schedules, errors."""

import math

import pytest

from autograd import Value
from nets import MLP, optim


def _params(*xs):
    return [Value(x) for x in xs]


def test_sgd_plain_is_micrographs_update():
    ps = _params(1.0, -2.0)
    ps[0].grad, ps[1].grad = 0.5, -1.0
    opt = optim.SGD(ps, lr=0.1)
    opt.step()
    assert [p.data for p in ps] == [1.0 - 0.1 * 0.5, -2.0 - 0.1 * -1.0]
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_sgd_momentum_and_weight_decay_follow_pytorch():
    (p,) = ps = _params(1.0)
    opt = optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01)
    x, v = 1.0, None
    for g in (0.5, 0.2, -0.3):
        p.grad = g
        opt.step()
        d = g + 0.01 * x
        v = d if v is None else 0.9 * v + d
        x -= 0.1 * v
        assert p.data == pytest.approx(x, rel=1e-15)


def test_adam_matches_the_textbook_formula():
    (p,) = ps = _params(0.5)
    opt = optim.Adam(ps, lr=0.01)
    x, m, v = 0.5, 0.0, 0.0
    for t, g in enumerate((0.3, -0.1, 0.7, 0.2), start=1):
        p.grad = g
        opt.step()
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        x -= 0.01 * (m / (1 - 0.9**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        assert p.data == pytest.approx(x, rel=1e-12)


def test_adam_weight_decay_adds_to_the_gradient():
    (p,) = ps = _params(0.5)
    opt = optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    x, m, v = 0.5, 0.0, 0.0
    for t, g in enumerate((0.1, -0.3, 0.05), start=1):
        p.grad = g
        opt.step()
        g = g + 0.1 * x
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        x -= 0.05 * (m / (1 - 0.8**t)) / (math.sqrt(v / (1 - 0.99**t)) + 1e-6)
        assert p.data == pytest.approx(x, rel=1e-12)


def test_adam_minimises_a_quadratic():
    x = Value(3.0)
    opt = optim.Adam([x], lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        loss = (x - 1.0) ** 2
        loss.backward()
        opt.step()
    assert x.data == pytest.approx(1.0, abs=1e-3)


def test_linear_decay_is_micrograds_schedule_bit_for_bit():
    lr = optim.linear_decay()
    assert [lr(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]
    assert lr(100) == lr(500) == 0.1
    assert optim.linear_decay(0.5, 0.05, 10)(5) == pytest.approx(0.275)


def test_schedules_drive_the_optimizer():
    (p,) = ps = _params(0.0)
    opt = optim.SGD(ps, lr=optim.linear_decay(1.0, 0.1, 100))
    seen = []
    for _ in range(3):
        seen.append(opt.current_lr)
        p.grad = 1.0
        opt.step()
    assert seen == [1.0, 1.0 - 0.9 / 100, 1.0 - 0.9 * 2 / 100]
    assert p.data == pytest.approx(-sum(seen))
    cos = optim.cosine_decay(1.0, 0.0, 10)
    assert cos(0) == 1.0 and cos(10) == pytest.approx(0.0) and cos(5) == pytest.approx(0.5)
    assert optim.constant(0.3)(99) == 0.3


def test_accepts_a_module():
    m = MLP(2, [2, 1])
    opt = optim.SGD(m, lr=0.1)
    assert opt.params == m.parameters()


def test_bad_arguments():
    ps = _params(1.0)
    with pytest.raises(ValueError, match="no parameters"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\]"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        optim.SGD(ps, lr=-1.0)
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD(ps, lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam(ps, betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="eps"):
        optim.Adam(ps, eps=0.0)


@pytest.mark.parametrize("wd", [-0.1, float("nan"), float("inf"), "0.1", None])
def test_weight_decay_is_checked_up_front(wd):
    for make in (optim.SGD, optim.Adam):
        with pytest.raises(ValueError, match=r"weight_decay must be a finite number >= 0"):
            make(_params(1.0), lr=0.1, weight_decay=wd)


@pytest.mark.parametrize("rate", [float("nan"), -0.5, float("inf"), "fast"])
def test_a_schedule_giving_a_bad_rate_is_refused_before_any_change(rate):
    for make in (optim.SGD, optim.Adam):
        (p,) = ps = _params(1.0)
        p.grad = 0.5
        opt = make(ps, lr=lambda k: 0.1 if k == 0 else rate)
        opt.step()
        after_one = p.data
        with pytest.raises(ValueError, match=r"schedule .* for step 1; a learning rate must"):
            opt.step()
        assert p.data == after_one and opt.steps == 1


def test_divergence_is_reported_with_the_parameter_name():
    (p,) = ps = _params(1e300)
    p.label = "w"
    p.grad = -1e300
    opt = optim.SGD(ps, lr=1e10)
    with pytest.raises(OverflowError, match=r"'w'.*learning rate"):
        opt.step()


def test_a_failed_sgd_step_changes_nothing():
    # The first parameter's update is fine, the second's overflows: neither may move.
    ps = _params(0.0, 1e300)
    ps[0].grad, ps[1].grad = 1.0, -1e300
    opt = optim.SGD(ps, lr=1e10, momentum=0.9)
    with pytest.raises(OverflowError, match=r"step 1 would make parameter 1 inf.*Nothing"):
        opt.step()
    assert [p.data for p in ps] == [0.0, 1e300]
    assert opt.steps == 0 and opt._velocity is None
    ps[1].grad = 0.0  # the optimizer is not poisoned: a sane step works as if first
    opt.step()
    assert [p.data for p in ps] == [-1e10, 1e300] and opt._velocity == [1.0, 0.0]


def test_a_failed_adam_step_leaves_parameters_and_moments_untouched():
    ps = _params(0.5, -0.5)
    ps[0].label = "a"
    opt = optim.Adam(ps, lr=0.1)
    ps[0].grad, ps[1].grad = 0.2, 0.3
    opt.step()
    before = ([p.data for p in ps], list(opt._m), list(opt._v), opt.steps)
    ps[0].grad = 1e200  # g * g overflows the second moment
    with pytest.raises(OverflowError, match=r"second moment v of parameter 'a' inf"):
        opt.step()
    assert ([p.data for p in ps], opt._m, opt._v, opt.steps) == before
    ps[0].grad = float("nan")
    with pytest.raises(OverflowError, match=r"parameter 'a' nan \(grad nan\)"):
        opt.step()
    assert ([p.data for p in ps], opt._m, opt._v, opt.steps) == before


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1),
        lambda ps: optim.SGD(ps, lr=optim.linear_decay(0.3, 0.03, 9), momentum=0.9),
        lambda ps: optim.SGD(ps, lr=0.05, momentum=0.5, weight_decay=0.01),
        lambda ps: optim.Adam(ps, lr=0.02),
        lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), weight_decay=1e-3),
    ],
)
def test_update_on_arrays_gives_the_bits_of_lists_and_of_step(make):
    np = pytest.importorskip("numpy")
    import random

    rng = random.Random(4)
    start = [rng.uniform(-2, 2) for _ in range(50)]
    grads = [[rng.uniform(-3, 3) for _ in start] for _ in range(6)]
    on_values = _params(*start)
    by_step, by_list, by_array = make(on_values), make(_params(*start)), make(_params(*start))
    listed, arrayed = list(start), np.array(start)
    for g in grads:
        for p, gi in zip(on_values, g):
            p.grad = gi
        by_step.step()
        listed = by_list.update(listed, list(g))
        arrayed = by_array.update(arrayed, np.array(g))
        assert type(listed) is list and isinstance(arrayed, np.ndarray)
        assert listed == [p.data for p in on_values] == arrayed.tolist()
    assert by_step.steps == by_list.steps == by_array.steps == len(grads)


def test_update_on_arrays_refuses_an_overflow_without_a_warning():
    np = pytest.importorskip("numpy")
    opt = optim.SGD(_params(1.0, 2.0), lr=1e308)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match=r"step 1 would make parameter 1 -inf \(grad 3.0\)"):
            opt.update(np.array([1.0, 2.0]), np.array([0.5, 3.0]))
    assert opt.steps == 0
