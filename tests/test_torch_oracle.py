"""PyTorch (float64) as an oracle on random expression graphs; skipped without torch."""

import pytest
from hypothesis import given, settings

from autograd import Value, grad
from autograd.testing import expressions

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH = {
    "softplus": F.softplus,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "leaky_relu0.2": lambda x: F.leaky_relu(x, 0.2),
}


def _torch_inputs(point):
    return [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]


@settings(max_examples=150)
@given(expressions())
def test_values_and_gradients_match_pytorch(expr):
    vs = [Value(x) for x in expr.point]
    out = expr(*vs)
    out.backward()
    ts = _torch_inputs(expr.point)
    t_out = expr(*ts, functions=TORCH)
    t_grads = torch.autograd.grad(t_out, ts, allow_unused=True)
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-12), str(expr)
    expected = [0.0 if g is None else g.item() for g in t_grads]
    assert [v.grad for v in vs] == pytest.approx(expected, rel=1e-10, abs=1e-12), str(expr)


@settings(max_examples=60)
@given(expressions(max_steps=7))
def test_hessians_match_pytorch(expr):
    vs = [Value(x) for x in expr.point]
    first = grad(expr(*vs), vs, create_graph=True)
    ours = [grad(g, vs) for g in first]
    ts = _torch_inputs(expr.point)
    t_out = expr(*ts, functions=TORCH)
    theirs = []
    for g in torch.autograd.grad(t_out, ts, create_graph=True, allow_unused=True):
        if g is None or not g.requires_grad:
            theirs.append([0.0] * len(ts))
            continue
        row = torch.autograd.grad(g, ts, retain_graph=True, allow_unused=True)
        theirs.append([0.0 if h is None else h.item() for h in row])
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-10), str(expr)
