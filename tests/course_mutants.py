# ruff: noqa: E501  (each answer is a line of code in a string, as a learner wrote it)
"""The mutation round of issue 18: new plausible wrong answers and correct variants.

Each entry is (notebook, check, kind, name, code): the code defines ``answer``, a function
or class a learner might hand in; ``kind`` is "wrong" (the check must fail it) or "right"
(the check must pass it).  tests/test_course_mutants.py runs them against the teacher
notebooks.  None of them is one of the kept wrong answers.
"""

M: list[tuple[str, str, str, str, str]] = []


def add(nb: str, check: str, kind: str, name: str, code: str) -> None:
    M.append((nb, check, kind, name, code))


NB = "01_value_and_graph.ipynb"
C = "check_h_and_grads"
add(NB, C, "wrong", "dy_as_product", "def answer(x, y, z):\n    return x*y + y*z, y, x*z, y")
add(NB, C, "wrong", "h_triple_product", "def answer(x, y, z):\n    return x*y*z, y, x + z, y")
add(NB, C, "wrong", "dz_is_x", "def answer(x, y, z):\n    return x*y + y*z, y, x + z, x")
add(NB, C, "wrong", "rounded_h", "def answer(x, y, z):\n    return round(x*y + y*z), y, x + z, y")
add(NB, C, "wrong", "three_numbers", "def answer(x, y, z):\n    return y, x + z, y")
add(NB, C, "wrong", "dy_minus", "def answer(x, y, z):\n    return x*y + y*z, y, x - z, y")
add(NB, C, "right", "list_not_tuple", "def answer(x, y, z):\n    return [x*y + y*z, y, x + z, y]")
add(
    NB,
    C,
    "right",
    "numpy_floats",
    "import numpy as _np\ndef answer(x, y, z):\n    return _np.float64(x*y + y*z), _np.float64(y), x + z, float(y)",
)
add(NB, C, "right", "factored", "def answer(x, y, z):\n    return y * (x + z), y, x + z, y")

NB = "02_build_a_value.ipynb"
add(
    NB,
    "check_add",
    "wrong",
    "local_one_zero",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return Value(self.data + other.data, (self, other), (1.0, 0.0), '+')",
)
add(
    NB,
    "check_add",
    "wrong",
    "prev_swapped",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return Value(self.data + other.data, (other, self), (1.0, 1.0), '+')",
)
add(
    NB,
    "check_add",
    "wrong",
    "subtracts",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return Value(self.data - other.data, (self, other), (1.0, 1.0), '+')",
)
add(
    NB,
    "check_add",
    "wrong",
    "number_not_lifted_in_prev",
    "class answer(Value):\n    def __add__(self, other):\n        o = Value.lift(other)\n        return Value(self.data + o.data, (self, other), (1.0, 1.0), '+')",
)
add(
    NB,
    "check_add",
    "right",
    "int_locals",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return Value(self.data + other.data, (self, other), (1, 1), '+')",
)
add(
    NB,
    "check_add",
    "right",
    "type_of_self",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return type(self)(self.data + other.data, [self, other], [1.0, 1.0], 'add')",
)
add(
    NB,
    "check_mul",
    "wrong",
    "local_other_twice",
    "class answer(Value):\n    def __mul__(self, other):\n        other = Value.lift(other)\n        return Value(self.data * other.data, (self, other), (other.data, other.data), '*')",
)
add(
    NB,
    "check_mul",
    "wrong",
    "adds_data",
    "class answer(Value):\n    def __mul__(self, other):\n        other = Value.lift(other)\n        return Value(self.data + other.data, (self, other), (other.data, self.data), '*')",
)
add(
    NB,
    "check_mul",
    "wrong",
    "forgets_other",
    "class answer(Value):\n    def __mul__(self, other):\n        other = Value.lift(other)\n        return Value(self.data * other.data, (self,), (other.data,), '*')",
)
add(
    NB,
    "check_mul",
    "wrong",
    "in_place",
    "class answer(Value):\n    def __mul__(self, other):\n        other = Value.lift(other)\n        self._prev, self._local = (self, other), (other.data, self.data)\n        self.data = self.data * other.data\n        return self",
)
add(
    NB,
    "check_mul",
    "right",
    "computed_locals",
    "class answer(Value):\n    def __mul__(self, other):\n        other = Value.lift(other)\n        a, b = self.data, other.data\n        return Value(a * b, (self, other), (b, a), '*')",
)
add(
    NB,
    "check_tanh",
    "wrong",
    "one_minus_t",
    "class answer(Value):\n    def tanh(self):\n        t = math.tanh(self.data)\n        return Value(t, (self,), (1 - t,), 'tanh')",
)
add(
    NB,
    "check_tanh",
    "wrong",
    "sech_not_squared",
    "class answer(Value):\n    def tanh(self):\n        return Value(math.tanh(self.data), (self,), (1 / math.cosh(self.data),), 'tanh')",
)
add(
    NB,
    "check_tanh",
    "wrong",
    "data_not_tanh",
    "class answer(Value):\n    def tanh(self):\n        t = math.tanh(self.data)\n        return Value(self.data, (self,), (1 - t * t,), 'tanh')",
)
add(
    NB,
    "check_tanh",
    "wrong",
    "one_plus_t_squared",
    "class answer(Value):\n    def tanh(self):\n        t = math.tanh(self.data)\n        return Value(t, (self,), ((1 + t) * (1 + t),), 'tanh')",
)
add(
    NB,
    "check_tanh",
    "right",
    "exp_formula",
    "class answer(Value):\n    def tanh(self):\n        e = math.exp(2 * self.data)\n        t = (e - 1) / (e + 1)\n        return Value(t, (self,), ((1 + t) * (1 - t),), 'tanh')",
)
add(
    NB,
    "check_relu",
    "wrong",
    "slope_one_at_zero",
    "class answer(Value):\n    def relu(self):\n        return Value(max(0.0, self.data), (self,), (1.0 if self.data >= 0 else 0.0,), 'relu')",
)
add(
    NB,
    "check_relu",
    "wrong",
    "abs_value",
    "class answer(Value):\n    def relu(self):\n        return Value(abs(self.data), (self,), (1.0 if self.data > 0 else 0.0,), 'relu')",
)
add(
    NB,
    "check_relu",
    "wrong",
    "self_when_positive",
    "class answer(Value):\n    def relu(self):\n        if self.data > 0:\n            return self\n        return Value(0.0, (self,), (0.0,), 'relu')",
)
add(
    NB,
    "check_relu",
    "right",
    "bool_slope",
    "class answer(Value):\n    def relu(self):\n        return Value(max(self.data, 0.0), (self,), (float(self.data > 0),), 'relu')",
)

NB = "03_build_backward.ipynb"
add(
    NB,
    "check_value_from_02",
    "wrong",
    "pasted_tanh_one_minus_t",
    "class answer(Value):\n    def tanh(self):\n        t = math.tanh(self.data)\n        return Value(t, (self,), (1 - t,), 'tanh')",
)
add(
    NB,
    "check_value_from_02",
    "wrong",
    "pasted_mul_self_local",
    "class answer(Value):\n    def __mul__(self, other):\n        other = Value.lift(other)\n        return Value(self.data * other.data, (self, other), (self.data, self.data), '*')",
)
add(
    NB,
    "check_value_from_02",
    "wrong",
    "pasted_add_local_values",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return Value(self.data + other.data, (self, other), (Value(1.0), Value(1.0)), '+')",
)
add(
    NB,
    "check_value_from_02",
    "right",
    "pasted_right_int_locals",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return Value(self.data + other.data, (self, other), (1, 1), '+')",
)
add(
    NB,
    "check_topological_order",
    "wrong",
    "root_first",
    "def answer(root):\n    return topological_order(root)[::-1]",
)
add(
    NB,
    "check_topological_order",
    "wrong",
    "without_leaves",
    "def answer(root):\n    return [n for n in topological_order(root) if n._prev]",
)
add(
    NB,
    "check_topological_order",
    "wrong",
    "stack_no_check",
    "def answer(root):\n    order, stack = [], [(root, False)]\n    while stack:\n        node, done = stack.pop()\n        if done:\n            order.append(node)\n        else:\n            stack.append((node, True))\n            stack.extend((x, False) for x in node._prev)\n    return order",
)
add(
    NB,
    "check_topological_order",
    "wrong",
    "bfs_not_reversed",
    "def answer(root):\n    order, seen = [root], {root}\n    for n in order:\n        for x in n._prev:\n            if x not in seen:\n                seen.add(x); order.append(x)\n    return order",
)
add(
    NB,
    "check_topological_order",
    "wrong",
    "only_root_and_leaves",
    "def answer(root):\n    leaves = [n for n in topological_order(root) if not n._prev]\n    return leaves + ([root] if root._prev else [])",
)
add(
    NB,
    "check_topological_order",
    "right",
    "recursive_dfs",
    "def answer(root):\n    order, seen = [], set()\n    def visit(n):\n        if n in seen:\n            return\n        seen.add(n)\n        for x in n._prev:\n            visit(x)\n        order.append(n)\n    visit(root)\n    return order",
)
add(
    NB,
    "check_topological_order",
    "right",
    "kahn",
    "def answer(root):\n    nodes, stack = [], [root]\n    seen = {root}\n    while stack:\n        n = stack.pop(); nodes.append(n)\n        for x in n._prev:\n            if x not in seen:\n                seen.add(x); stack.append(x)\n    users = {n: 0 for n in nodes}\n    for n in nodes:\n        for x in set(n._prev):\n            users[x] += 0\n    need = {n: len(set(n._prev)) for n in nodes}\n    ready = [n for n in nodes if need[n] == 0]\n    order = []\n    parents = {n: [] for n in nodes}\n    for n in nodes:\n        for x in set(n._prev):\n            parents[x].append(n)\n    while ready:\n        n = ready.pop(); order.append(n)\n        for p in parents[n]:\n            need[p] -= 1\n            if need[p] == 0:\n                ready.append(p)\n    return order",
)
add(
    NB,
    "check_backward",
    "wrong",
    "reset_leaves_only",
    "def answer(root):\n    order = topological_order(root)\n    for n in order:\n        if not n._prev:\n            n.grad = 0.0\n    root.grad = 1.0\n    for n in reversed(order):\n        for x, l in zip(n._prev, n._local):\n            x.grad += n.grad * l",
)
add(
    NB,
    "check_backward",
    "wrong",
    "local_squared",
    "def answer(root):\n    order = topological_order(root)\n    for n in order:\n        n.grad = 0.0\n    root.grad = 1.0\n    for n in reversed(order):\n        for x, l in zip(n._prev, n._local):\n            x.grad += n.grad * l * l",
)
add(
    NB,
    "check_backward",
    "wrong",
    "data_not_grad",
    "def answer(root):\n    order = topological_order(root)\n    for n in order:\n        n.grad = 0.0\n    root.grad = 1.0\n    for n in reversed(order):\n        for x, l in zip(n._prev, n._local):\n            x.grad += n.data * l",
)
add(
    NB,
    "check_backward",
    "wrong",
    "seed_then_reset",
    "def answer(root):\n    order = topological_order(root)\n    root.grad = 1.0\n    for n in order:\n        n.grad = 0.0\n    for n in reversed(order):\n        for x, l in zip(n._prev, n._local):\n            x.grad += n.grad * l",
)
add(
    NB,
    "check_backward",
    "wrong",
    "first_share_only",
    "def answer(root):\n    order = topological_order(root)\n    for n in order:\n        n.grad = 0.0\n    root.grad = 1.0\n    done = set()\n    for n in reversed(order):\n        for x, l in zip(n._prev, n._local):\n            if x not in done:\n                x.grad = n.grad * l; done.add(x)",
)
add(
    NB,
    "check_backward",
    "right",
    "dict_then_assign",
    "def answer(root):\n    order = topological_order(root)\n    g = {n: 0.0 for n in order}\n    g[root] = 1.0\n    for n in reversed(order):\n        for x, l in zip(n._prev, n._local):\n            g[x] += g[n] * l\n    for n in order:\n        n.grad = g[n]",
)

NB = "04_gradient_descent.ipynb"
C = "check_squared_error_gradient"
add(
    NB,
    C,
    "wrong",
    "half_too_small",
    "def answer(w, X, t):\n    return [g / 2 for g in squared_error_gradient(w, X, t)]",
)
add(
    NB,
    C,
    "wrong",
    "first_row_only",
    "def answer(w, X, t):\n    r = t[0] - sum(a*b for a, b in zip(w, X[0]))\n    return [-r * X[0][j] for j in range(len(w))]",
)
add(
    NB,
    C,
    "wrong",
    "weights_for_inputs",
    "def answer(w, X, t):\n    n = len(t)\n    r = [ti - sum(a*b for a, b in zip(w, xi)) for xi, ti in zip(X, t)]\n    return [-sum(ri * w[j] for ri in r) / n for j in range(len(w))]",
)
add(
    NB,
    C,
    "wrong",
    "bias_everywhere",
    "def answer(w, X, t):\n    n = len(t)\n    r = [ti - sum(a*b for a, b in zip(w, xi)) for xi, ti in zip(X, t)]\n    return [-sum(r) / n] * len(w)",
)
add(
    NB,
    C,
    "right",
    "o_minus_t",
    "def answer(w, X, t):\n    n = len(t)\n    r = [sum(a*b for a, b in zip(w, xi)) - ti for xi, ti in zip(X, t)]\n    return [sum(ri * xi[j] for ri, xi in zip(r, X)) / n for j in range(len(w))]",
)
add(
    NB,
    C,
    "right",
    "numpy",
    "def answer(w, X, t):\n    X_, t_, w_ = np.array(X), np.array(t), np.array(w)\n    return list(-X_.T @ (t_ - X_ @ w_) / len(t_))",
)
C = "check_minibatch_epoch"
add(
    NB,
    C,
    "wrong",
    "full_batch_each_step",
    "def answer(w, X, t, eta, batch_size):\n    w = [Value(v) for v in w]\n    for start in range(0, len(t), batch_size):\n        for v, g in zip(w, grad(E_linear(w, X, t), w)):\n            v.data -= eta * g\n    return [v.data for v in w]",
)
add(
    NB,
    C,
    "wrong",
    "drops_last_batch",
    "def answer(w, X, t, eta, batch_size):\n    w = [Value(v) for v in w]\n    for start in range(0, len(t) - batch_size + 1, batch_size):\n        bx, bt = X[start:start+batch_size], t[start:start+batch_size]\n        for v, g in zip(w, grad(E_linear(w, bx, bt), w)):\n            v.data -= eta * g\n    return [v.data for v in w]",
)
add(
    NB,
    C,
    "wrong",
    "batches_from_the_end",
    "def answer(w, X, t, eta, batch_size):\n    w = [Value(v) for v in w]\n    for end in range(len(t), 0, -batch_size):\n        bx, bt = X[max(0, end-batch_size):end], t[max(0, end-batch_size):end]\n        for v, g in zip(w, grad(E_linear(w, bx, bt), w)):\n            v.data -= eta * g\n    return [v.data for v in w]",
)
add(
    NB,
    C,
    "wrong",
    "plus_gradient",
    "def answer(w, X, t, eta, batch_size):\n    w = [Value(v) for v in w]\n    for start in range(0, len(t), batch_size):\n        bx, bt = X[start:start+batch_size], t[start:start+batch_size]\n        for v, g in zip(w, grad(E_linear(w, bx, bt), w)):\n            v.data += eta * g\n    return [v.data for v in w]",
)
add(
    NB,
    C,
    "right",
    "by_formula",
    "def answer(w, X, t, eta, batch_size):\n    w = list(w)\n    for s in range(0, len(t), batch_size):\n        rows, ts = X[s:s+batch_size], t[s:s+batch_size]\n        r = [ti - sum(a*b for a, b in zip(w, xi)) for xi, ti in zip(rows, ts)]\n        w = [wj + eta * sum(ri * xi[j] for ri, xi in zip(r, rows)) / len(rows) for j, wj in enumerate(w)]\n    return w",
)
C = "check_critical_rate_by_experiment"
add(
    NB,
    C,
    "wrong",
    "doubling_only",
    "def answer(X, t, steps=200):\n    n = len(t)\n    def conv(eta):\n        w = np.zeros(X.shape[1])\n        with np.errstate(over='ignore', invalid='ignore'):\n            for _ in range(steps):\n                w = w + eta * X.T @ (t - X @ w) / n\n            r = t - X @ w\n            return np.isfinite(r @ r) and 0.5 * (r @ r) / n < 0.5 * (t @ t) / n\n    hi = 1.0\n    while conv(hi):\n        hi *= 2\n    return hi",
)
add(
    NB,
    C,
    "wrong",
    "ignores_steps",
    "def answer(X, t, steps=200):\n    return critical_rate_by_experiment(X, t, 200)",
)
add(
    NB,
    C,
    "wrong",
    "compare_to_one_step",
    "def answer(X, t, steps=200):\n    n = len(t)\n    def loss(w):\n        r = t - X @ w\n        return 0.5 * float(r @ r) / n\n    def conv(eta):\n        w = np.zeros(X.shape[1]); first = None\n        with np.errstate(over='ignore', invalid='ignore'):\n            for k in range(steps):\n                w = w + eta * X.T @ (t - X @ w) / n\n                if k == 0: first = loss(w)\n            end = loss(w)\n        return np.isfinite(end) and end < first\n    lo, hi = 0.0, 1.0\n    while conv(hi):\n        lo, hi = hi, 2 * hi\n    while hi - lo > 0.002 * hi:\n        mid = (lo + hi) / 2\n        lo, hi = (mid, hi) if conv(mid) else (lo, mid)\n    return lo",
)
add(
    NB,
    C,
    "right",
    "bisect_tighter",
    "def answer(X, t, steps=200):\n    n = len(t)\n    def conv(eta):\n        w = np.zeros(X.shape[1])\n        with np.errstate(over='ignore', invalid='ignore'):\n            for _ in range(steps):\n                w = w - eta * (-(X.T @ (t - X @ w)) / n)\n            r = t - X @ w\n            end = 0.5 * (r @ r) / n\n        return np.isfinite(end) and end < 0.5 * (t @ t) / n\n    lo, hi = 0.0, 0.5\n    while conv(hi):\n        lo, hi = hi, hi * 2\n    for _ in range(40):\n        mid = (lo + hi) / 2\n        lo, hi = (mid, hi) if conv(mid) else (lo, mid)\n    return (lo + hi) / 2",
)
C = "check_descend_with_restarts"
add(
    NB,
    C,
    "wrong",
    "returns_start",
    "def answer(f, starts, eta=0.01, steps=200):\n    best = None\n    for w0 in starts:\n        w = Value(float(w0))\n        for _ in range(steps):\n            (g,) = grad(f(w), [w]); w = Value(w.data - eta * g)\n        if best is None or f(w).data < best[2]:\n            best = (w0, f(Value(w0)).data, f(w).data)\n    return best[:2]",
)
add(
    NB,
    C,
    "wrong",
    "one_step_short",
    "def answer(f, starts, eta=0.01, steps=200):\n    return descend_with_restarts(f, starts, eta, steps - 1)",
)
add(
    NB,
    C,
    "wrong",
    "last_start",
    "def answer(f, starts, eta=0.01, steps=200):\n    return descend_with_restarts(f, starts[-1:], eta, steps)",
)
add(
    NB,
    C,
    "right",
    "backward_instead_of_grad",
    "def answer(f, starts, eta=0.01, steps=200):\n    ends = []\n    for w0 in starts:\n        w = Value(float(w0))\n        for _ in range(steps):\n            w.grad = 0.0\n            f(w).backward()\n            w = Value(w.data - eta * w.grad)\n        ends.append((w.data, f(w).data))\n    return min(ends, key=lambda e: e[1])",
)

NB = "05_neurons_and_activations.ipynb"
C = "check_perceptron_step"
add(
    NB,
    C,
    "wrong",
    "only_on_positives",
    "def answer(w, b, x, y, eta):\n    if y == 1:\n        return perceptron_step(w, b, x, y, eta)\n    return list(w), b",
)
add(
    NB,
    C,
    "wrong",
    "weights_without_x",
    "def answer(w, b, x, y, eta):\n    yh = 1 if sum(a*c for a, c in zip(w, x)) + b >= 0 else 0\n    return [wi + eta * (y - yh) for wi in w], b + eta * (y - yh)",
)
add(
    NB,
    C,
    "wrong",
    "threshold_without_bias",
    "def answer(w, b, x, y, eta):\n    yh = 1 if sum(a*c for a, c in zip(w, x)) >= 0 else 0\n    return [wi + eta * (y - yh) * xi for wi, xi in zip(w, x)], b + eta * (y - yh)",
)
add(
    NB,
    C,
    "right",
    "in_place_list",
    "def answer(w, b, x, y, eta):\n    yh = 1 if sum(a*c for a, c in zip(w, x)) + b >= 0 else 0\n    for i in range(len(w)):\n        w[i] += eta * (y - yh) * x[i]\n    return w, b + eta * (y - yh)",
)
C = "check_rrelu"
add(
    NB,
    C,
    "wrong",
    "lower_while_training",
    "def answer(v, training, rng, lower=1/8, upper=1/3):\n    return v.leaky_relu(lower if training else (lower + upper) / 2)",
)
add(
    NB,
    C,
    "wrong",
    "half_range_at_test",
    "def answer(v, training, rng, lower=1/8, upper=1/3):\n    return v.leaky_relu(rng.uniform(lower, upper) if training else (upper - lower) / 2)",
)
add(
    NB,
    C,
    "wrong",
    "unscaled_random",
    "def answer(v, training, rng, lower=1/8, upper=1/3):\n    return v.leaky_relu(rng.random() if training else (lower + upper) / 2)",
)
add(
    NB,
    C,
    "right",
    "branch_on_data",
    "def answer(v, training, rng, lower=1/8, upper=1/3):\n    a = rng.uniform(lower, upper) if training else (lower + upper) / 2\n    return v if v.data > 0 else v * a",
)
add(
    NB,
    C,
    "right",
    "relu_formula",
    "def answer(v, training, rng, lower=1/8, upper=1/3):\n    a = rng.uniform(lower, upper) if training else (lower + upper) / 2\n    return v.relu() + a * (v - v.relu())",
)
C = "check_chain_input_gradient"
add(
    NB,
    C,
    "wrong",
    "g_not_g_prime",
    "def answer(ws, bs, x, g, g_prime):\n    h, p = x, 1.0\n    for w, b in zip(ws, bs):\n        z = w * h + b; p *= g(z) * w; h = g(z)\n    return p",
)
add(
    NB,
    C,
    "wrong",
    "starts_at_zero",
    "def answer(ws, bs, x, g, g_prime):\n    h, p = x, 0.0\n    for w, b in zip(ws, bs):\n        z = w * h + b; p *= g_prime(z) * w; h = g(z)\n    return p",
)
add(
    NB,
    C,
    "wrong",
    "last_weight_only",
    "def answer(ws, bs, x, g, g_prime):\n    h, p = x, 1.0\n    for w, b in zip(ws, bs):\n        z = w * h + b; p *= g_prime(z); h = g(z)\n    return p * ws[-1]",
)
add(
    NB,
    C,
    "right",
    "math_prod",
    "import math as _m\ndef answer(ws, bs, x, g, g_prime):\n    fs, h = [], x\n    for w, b in zip(ws, bs):\n        z = w * h + b\n        fs.append(g_prime(z) * w)\n        h = g(z)\n    return _m.prod(fs)",
)

NB = "06_backprop_by_hand.ipynb"
C = "check_sigmoid_output_gradients"
add(
    NB,
    C,
    "wrong",
    "sign_of_error",
    "def answer(x, t, w, b):\n    return {e: -v for e, v in sigmoid_output_gradients(x, t, w, b).items()}",
)
add(
    NB,
    C,
    "wrong",
    "hidden_to_output_only",
    "def answer(x, t, w, b):\n    g = sigmoid_output_gradients(x, t, w, b)\n    return {e: v for e, v in g.items() if e[1] in OUTPUT}",
)
add(
    NB,
    C,
    "wrong",
    "weights_transposed",
    "def answer(x, t, w, b):\n    act = dict(x)\n    for j in HIDDEN:\n        act[j] = math.tanh(b[j] + sum(w[i, j] * act[i] for i in (1, 2)))\n    for k in OUTPUT:\n        act[k] = sig(b[k] + sum(w[j, k] * act[j] for j in HIDDEN))\n    d = {k: (act[k] - t[k]) * act[k] * (1 - act[k]) for k in OUTPUT}\n    for j in HIDDEN:\n        d[j] = (1 - act[j] ** 2) * sum(d[k] * w[k, j] for k in OUTPUT)\n    return {(i, j): d[j] * act[i] for (i, j) in w}",
)
add(
    NB,
    C,
    "wrong",
    "no_hidden_slope",
    "def answer(x, t, w, b):\n    act = dict(x)\n    for j in HIDDEN:\n        act[j] = math.tanh(b[j] + sum(w[i, j] * act[i] for i in (1, 2)))\n    for k in OUTPUT:\n        act[k] = sig(b[k] + sum(w[j, k] * act[j] for j in HIDDEN))\n    d = {k: (act[k] - t[k]) * act[k] * (1 - act[k]) for k in OUTPUT}\n    for j in HIDDEN:\n        d[j] = sum(d[k] * w[j, k] for k in OUTPUT)\n    return {(i, j): d[j] * act[i] for (i, j) in w}",
)
add(
    NB,
    C,
    "right",
    "one_minus_h_squared",
    "def answer(x, t, w, b):\n    a = dict(x)\n    for j in HIDDEN:\n        a[j] = math.tanh(b[j] + sum(w[i, j] * a[i] for i in (1, 2)))\n    for k in OUTPUT:\n        a[k] = 1 / (1 + math.exp(-(b[k] + sum(w[j, k] * a[j] for j in HIDDEN))))\n    d = {k: (a[k] - t[k]) * a[k] * (1 - a[k]) for k in OUTPUT}\n    for j in HIDDEN:\n        d[j] = (1 - a[j] * a[j]) * sum(d[k] * w[j, k] for k in OUTPUT)\n    return {e: d[e[1]] * a[e[0]] for e in w}",
)
C = "check_input_weight_gradient"
add(
    NB,
    C,
    "wrong",
    "sums_multiplied",
    "def answer(x_i, h_j, deltas, w_j):\n    return x_i * (1 - h_j * h_j) * sum(deltas) * sum(w_j)",
)
add(
    NB,
    C,
    "wrong",
    "slope_squared",
    "def answer(x_i, h_j, deltas, w_j):\n    return x_i * ((1 + h_j) * (1 - h_j)) ** 2 * sum(d * w for d, w in zip(deltas, w_j))",
)
add(
    NB,
    C,
    "wrong",
    "without_x",
    "def answer(x_i, h_j, deltas, w_j):\n    return (1 - h_j * h_j) * sum(d * w for d, w in zip(deltas, w_j))",
)
add(
    NB,
    C,
    "right",
    "numpy_dot",
    "def answer(x_i, h_j, deltas, w_j):\n    import numpy as _np\n    return float(x_i * (1 - h_j ** 2) * _np.dot(deltas, w_j))",
)

NB = "07_classification.ipynb"
C = "check_logistic_gradient"
add(
    NB,
    C,
    "wrong",
    "tanh_not_sigmoid",
    "def answer(w, b, X, t):\n    r = [math.tanh(sum(a*c for a, c in zip(w, x)) + b) - tn for x, tn in zip(X, t)]\n    return [sum(ri * x[i] for ri, x in zip(r, X)) / len(X) for i in range(len(w))], sum(r) / len(X)",
)
add(
    NB,
    C,
    "wrong",
    "swapped_pair",
    "def answer(w, b, X, t):\n    dw, db = logistic_gradient(w, b, X, t)\n    return [db] + dw[1:], dw[0]",
)
add(
    NB,
    C,
    "wrong",
    "divides_by_features",
    "def answer(w, b, X, t):\n    dw, db = logistic_gradient(w, b, X, t)\n    return [g * len(X) / len(w) for g in dw], db * len(X) / len(w)",
)
add(
    NB,
    C,
    "right",
    "numpy_vectorised",
    "def answer(w, b, X, t):\n    X_, t_ = np.array(X, dtype=float), np.array(t, dtype=float)\n    p = 1 / (1 + np.exp(-(X_ @ np.array(w) + b)))\n    return list((p - t_) @ X_ / len(t_)), float(np.mean(p - t_))",
)
C = "check_circle_features"
add(
    NB,
    C,
    "wrong",
    "sum_of_coordinates",
    "def answer(rows):\n    return [[a, b, a + b] for a, b in rows]",
)
add(
    NB,
    C,
    "wrong",
    "difference_of_squares",
    "def answer(rows):\n    return [[a, b, a * a - b * b] for a, b in rows]",
)
add(
    NB,
    C,
    "right",
    "radius_only",
    "def answer(rows):\n    return [[a * a + b * b] for a, b in rows]",
)
add(
    NB,
    C,
    "right",
    "all_quadratics",
    "def answer(rows):\n    return [[a, b, a * a, b * b, a * b] for a, b in rows]",
)

NB = "08_softmax_cross_entropy.ipynb"
C = "check_softmax_jacobian"
add(
    NB,
    C,
    "wrong",
    "diagonal_squared",
    "def answer(p):\n    return [[pj * pj if i == j else -pj * pi for i, pi in enumerate(p)] for j, pj in enumerate(p)]",
)
add(
    NB,
    C,
    "wrong",
    "off_diagonal_one_factor",
    "def answer(p):\n    return [[pj * (1 - pj) if i == j else -pi for i, pi in enumerate(p)] for j, pj in enumerate(p)]",
)
add(
    NB,
    C,
    "wrong",
    "diagonal_one_minus",
    "def answer(p):\n    return [[1 - pj if i == j else -pj * pi for i, pi in enumerate(p)] for j, pj in enumerate(p)]",
)
add(
    NB,
    C,
    "right",
    "numpy_matrix",
    "def answer(p):\n    p_ = np.array(p)\n    return np.diag(p_) - np.outer(p_, p_)",
)
C = "check_softmax_squared_error_gradient"
add(
    NB,
    C,
    "wrong",
    "wrong_jacobian_factor",
    "def answer(z, t):\n    e = [math.exp(v) for v in z]; p = [v / sum(e) for v in e]\n    return [sum((pk - tk) * pk * (1 - pi) for pk, tk in zip(p, t)) for pi in p]",
)
add(
    NB,
    C,
    "wrong",
    "forgot_p_k",
    "def answer(z, t):\n    e = [math.exp(v) for v in z]; p = [v / sum(e) for v in e]\n    return [sum((pk - tk) * ((k == i) - pi) for k, (pk, tk) in enumerate(zip(p, t))) for i, pi in enumerate(p)]",
)
add(
    NB,
    C,
    "wrong",
    "unnormalised",
    "def answer(z, t):\n    p = [math.exp(v) for v in z]\n    return [sum((pk - tk) * pk * ((k == i) - pi) for k, (pk, tk) in enumerate(zip(p, t))) for i, pi in enumerate(p)]",
)
add(
    NB,
    C,
    "right",
    "numpy_jacobian",
    "def answer(z, t):\n    e = np.exp(np.array(z)); p = e / e.sum()\n    J = np.diag(p) - np.outer(p, p)\n    return list(J.T @ (p - np.array(t)))",
)
C = "check_my_log_softmax"
add(
    NB,
    C,
    "wrong",
    "shift_by_min",
    "def answer(zs):\n    m = min(z.data for z in zs)\n    lse = sum((z - m).exp() for z in zs).log()\n    return [(z - m) - lse for z in zs]",
)
add(
    NB,
    C,
    "wrong",
    "probabilities",
    "def answer(zs):\n    m = max(z.data for z in zs)\n    e = [(z - m).exp() for z in zs]\n    s = sum(e)\n    return [x / s for x in e]",
)
add(
    NB,
    C,
    "wrong",
    "lse_without_log",
    "def answer(zs):\n    m = max(z.data for z in zs)\n    s = sum((z - m).exp() for z in zs)\n    return [(z - m) - s for z in zs]",
)
add(
    NB,
    C,
    "right",
    "m_inside_lse",
    "def answer(zs):\n    m = max(z.data for z in zs)\n    lse = m + sum((z - m).exp() for z in zs).log()\n    return [z - lse for z in zs]",
)
add(
    NB,
    C,
    "right",
    "max_value_node",
    "def answer(zs):\n    m = max(zs, key=lambda z: z.data)\n    lse = sum((z - m.data).exp() for z in zs).log()\n    return [(z - m.data) - lse for z in zs]",
)

NB = "09_gradient_checking.ipynb"
C = "check_numeric_derivative"
add(
    NB,
    C,
    "wrong",
    "divides_by_h",
    "def answer(f, x):\n    h = 1e-6 * max(1.0, abs(x))\n    return (f(x + h) - f(x - h)) / h",
)
add(
    NB,
    C,
    "wrong",
    "step_1e-3",
    "def answer(f, x):\n    h = 1e-3 * max(1.0, abs(x))\n    return (f(x + h) - f(x - h)) / (2 * h)",
)
add(
    NB,
    C,
    "wrong",
    "backward_difference",
    "def answer(f, x):\n    h = 1e-6 * max(1.0, abs(x))\n    return (f(x) - f(x - h)) / h",
)
add(
    NB,
    C,
    "right",
    "step_1e-5",
    "def answer(f, x):\n    h = 1e-5 * max(1.0, abs(x))\n    return (f(x + h) - f(x - h)) / (2 * h)",
)
add(
    NB,
    C,
    "right",
    "cube_root_eps",
    "import sys as _s\ndef answer(f, x):\n    h = _s.float_info.epsilon ** (1 / 3) * max(1.0, abs(x))\n    a, b = x + h, x - h\n    return (f(a) - f(b)) / (a - b)",
)
C = "check_softsign_derivative"
add(NB, C, "wrong", "x_squared", "def answer(x, out):\n    return 1 / (1 + x * x)")
add(NB, C, "wrong", "sigmoid_like", "def answer(x, out):\n    return out * (1 - out)")
add(NB, C, "wrong", "no_square", "def answer(x, out):\n    return 1 / (1 + abs(x)) ** 3")
add(NB, C, "right", "from_the_output", "def answer(x, out):\n    return (1 - abs(out)) ** 2")

NB = "10_higher_order.ipynb"
C = "check_hessian"
add(
    NB,
    C,
    "wrong",
    "row_sums",
    "def answer(f, point):\n    vals = [Value(x) for x in point]\n    g = grad(f(*vals), vals, create_graph=True)\n    row = grad(sum(g), vals)\n    return np.array([row for _ in point])",
)
add(
    NB,
    C,
    "wrong",
    "upper_only",
    "def answer(f, point):\n    H = hessian(f, point)\n    return np.triu(H)",
)
add(NB, C, "wrong", "twice_the_hessian", "def answer(f, point):\n    return 2 * hessian(f, point)")
add(
    NB,
    C,
    "right",
    "entry_by_entry",
    "def answer(f, point):\n    vals = [Value(x) for x in point]\n    g = grad(f(*vals), vals, create_graph=True)\n    n = len(point)\n    return np.array([[grad(g[i], [vals[j]])[0] for j in range(n)] for i in range(n)])",
)
C = "check_newton_step"
add(
    NB,
    C,
    "wrong",
    "delta_not_point",
    "def answer(f, point):\n    vals = [Value(x) for x in point]\n    g = np.array(grad(f(*vals), vals))\n    return -np.linalg.solve(hessian(f, point), g)",
)
add(
    NB,
    C,
    "wrong",
    "divided_by_trace",
    "def answer(f, point):\n    vals = [Value(x) for x in point]\n    g = np.array(grad(f(*vals), vals))\n    return np.array(point) - g / np.trace(hessian(f, point))",
)
add(
    NB,
    C,
    "right",
    "inverse",
    "def answer(f, point):\n    vals = [Value(x) for x in point]\n    g = np.array(grad(f(*vals), vals))\n    return np.array(point) - np.linalg.inv(hessian(f, point)) @ g",
)
add(
    NB,
    C,
    "right",
    "list_result",
    "def answer(f, point):\n    vals = [Value(x) for x in point]\n    g = np.array(grad(f(*vals), vals))\n    return list(np.array(point, dtype=float) - np.linalg.solve(hessian(f, point), g))",
)

NB = "11_matrices_and_pytorch.ipynb"
C = "check_layer_backward"
add(
    NB,
    C,
    "wrong",
    "db_without_slope",
    "def answer(W, b, x, grad_a):\n    a = np.tanh(W @ x + b); d = grad_a * (1 - a**2)\n    return np.outer(d, x), grad_a, W.T @ d",
)
add(
    NB,
    C,
    "wrong",
    "dx_without_slope",
    "def answer(W, b, x, grad_a):\n    a = np.tanh(W @ x + b); d = grad_a * (1 - a**2)\n    return np.outer(d, x), d, W.T @ grad_a",
)
add(
    NB,
    C,
    "wrong",
    "elementwise_dw",
    "def answer(W, b, x, grad_a):\n    a = np.tanh(W @ x + b); d = grad_a * (1 - a**2)\n    return W * d[:, None], d, W.T @ d",
)
add(
    NB,
    C,
    "wrong",
    "two_results",
    "def answer(W, b, x, grad_a):\n    a = np.tanh(W @ x + b); d = grad_a * (1 - a**2)\n    return np.outer(d, x), W.T @ d",
)
add(
    NB,
    C,
    "right",
    "einsum_lists",
    "def answer(W, b, x, grad_a):\n    a = np.tanh(W @ x + b); d = grad_a * (1 - a * a)\n    return np.einsum('i,j->ij', d, x).tolist(), d.tolist(), (d @ W).tolist()",
)
C = "check_dual"
add(
    NB,
    C,
    "wrong",
    "mul_vals_added",
    "class answer(Dual):\n    def __mul__(self, other):\n        other = Dual.lift(other)\n        return Dual(self.val + other.val, self.val * other.dot + self.dot * other.val)\n    __rmul__ = __mul__",
)
add(
    NB,
    C,
    "wrong",
    "tanh_slope_of_input",
    "class answer(Dual):\n    def tanh(self):\n        return Dual(math.tanh(self.val), (1 - self.val ** 2) * self.dot)",
)
add(
    NB,
    C,
    "right",
    "tanh_via_exp",
    "class answer(Dual):\n    def tanh(self):\n        e = math.exp(2 * self.val)\n        t = (e - 1) / (e + 1)\n        return Dual(t, (1 - t) * (1 + t) * self.dot)",
)

NB = "12_training_practice.ipynb"
C = "check_adam_update"
add(
    NB,
    C,
    "wrong",
    "v_from_g",
    "def answer(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * abs(g)\n    return p - lr * (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + eps), m, v",
)
add(
    NB,
    C,
    "wrong",
    "correct_m_only",
    "def answer(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g * g\n    return p - lr * (m / (1 - beta1**t)) / (math.sqrt(v) + eps), m, v",
)
add(
    NB,
    C,
    "wrong",
    "returns_corrected_moments",
    "def answer(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g * g\n    mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)\n    return p - lr * mh / (math.sqrt(vh) + eps), mh, vh",
)
add(
    NB,
    C,
    "right",
    "named_steps",
    "def answer(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n    m_new = beta1 * m + (1 - beta1) * g\n    v_new = beta2 * v + (1 - beta2) * g ** 2\n    m_hat = m_new / (1 - beta1 ** t)\n    v_hat = v_new / (1 - beta2 ** t)\n    return p - lr * m_hat / (v_hat ** 0.5 + eps), m_new, v_new",
)
C = "check_early_stop"
add(
    NB,
    C,
    "wrong",
    "stop_one_early",
    "def answer(val_losses, patience):\n    s, b = early_stop(val_losses, patience)\n    return max(s - 1, 0), b",
)
add(
    NB,
    C,
    "wrong",
    "swapped",
    "def answer(val_losses, patience):\n    s, b = early_stop(val_losses, patience)\n    return b, s",
)
add(
    NB,
    C,
    "wrong",
    "patience_off_by_one",
    "def answer(val_losses, patience):\n    best, waited = 0, 0\n    for k in range(1, len(val_losses)):\n        if val_losses[k] < val_losses[best]:\n            best, waited = k, 0\n        else:\n            waited += 1\n            if waited >= patience - 1:\n                return k, best\n    return len(val_losses) - 1, best",
)
add(
    NB,
    C,
    "right",
    "min_after_stop",
    "def answer(val_losses, patience):\n    best, since = 0, 0\n    for k in range(1, len(val_losses)):\n        if val_losses[k] < min(val_losses[:k]):\n            since = 0\n        else:\n            since += 1\n        if since == patience:\n            stop = k\n            break\n    else:\n        stop = len(val_losses) - 1\n    return stop, min(range(stop + 1), key=lambda i: (val_losses[i], i))",
)

NB = "13_digits.ipynb"
add(
    NB,
    "check_recall_per_class",
    "wrong",
    "jaccard",
    "def answer(C):\n    C = np.asarray(C)\n    return [C[i, i] / (C[i].sum() + C[:, i].sum() - C[i, i]) for i in range(len(C))]",
)
add(
    NB,
    "check_recall_per_class",
    "wrong",
    "integer_division",
    "def answer(C):\n    C = np.asarray(C)\n    return [C[i, i] // C[i].sum() for i in range(len(C))]",
)
add(
    NB,
    "check_recall_per_class",
    "right",
    "numpy_diag",
    "def answer(C):\n    C = np.asarray(C, dtype=float)\n    return list(np.diag(C) / C.sum(axis=1))",
)
add(
    NB,
    "check_hardest_class",
    "wrong",
    "returns_recall",
    "def answer(C):\n    return min(recall_per_class(C))",
)
add(
    NB,
    "check_hardest_class",
    "wrong",
    "most_mistakes",
    "def answer(C):\n    C = np.asarray(C)\n    return int(np.argmax(C.sum(axis=1) - np.diag(C)))",
)
add(
    NB,
    "check_hardest_class",
    "right",
    "np_argmin",
    "def answer(C):\n    return int(np.argmin(recall_per_class(C)))",
)
add(
    NB,
    "check_least_certain",
    "wrong",
    "column_zero",
    "def answer(probs):\n    col = [row[0] for row in probs]\n    return col.index(min(col))",
)
add(
    NB,
    "check_least_certain",
    "wrong",
    "sum_of_rows",
    "def answer(probs):\n    s = [sum(r) for r in probs]\n    return s.index(min(s))",
)
add(
    NB,
    "check_least_certain",
    "right",
    "numpy",
    "def answer(probs):\n    return int(np.argmin(np.max(np.array(probs), axis=1)))",
)

NB = "14_tracing.ipynb"
add(NB, "check_hard_tanh", "wrong", "no_clamp", "def answer(x):\n    return x.relu() - (-x).relu()")
add(
    NB,
    "check_hard_tanh",
    "wrong",
    "shifted_too_far",
    "def answer(x):\n    return (x + 1).relu() - (x - 1).relu() - 1.5",
)
add(
    NB,
    "check_hard_tanh",
    "wrong",
    "kinks_at_zero_and_two",
    "def answer(x):\n    return x.relu() - (x - 2).relu() - 1",
)
add(
    NB,
    "check_hard_tanh",
    "right",
    "from_the_top",
    "def answer(x):\n    return 1 - (1 - x).relu() + (-1 - x).relu()",
)
add(
    NB,
    "check_run_steps",
    "wrong",
    "slots_dict",
    "def answer(program, args):\n    slots = dict(enumerate(args)); slots.update(program.constants)\n    for op, inputs, output in program.steps:\n        slots[output] = op.forward(*[slots[i] for i in inputs])\n    return slots",
)
add(
    NB,
    "check_run_steps",
    "wrong",
    "last_input",
    "def answer(program, args):\n    slots = dict(enumerate(args)); slots.update(program.constants)\n    for op, inputs, output in program.steps:\n        slots[output] = op.forward(*[slots[i] for i in inputs])\n    return slots[program.steps[-1].inputs[-1]]",
)
add(
    NB,
    "check_run_steps",
    "wrong",
    "constants_after",
    "def answer(program, args):\n    slots = dict(enumerate(args))\n    for op, inputs, output in program.steps:\n        slots[output] = op.forward(*[slots.get(i, 0.0) for i in inputs])\n    slots.update(program.constants)\n    return slots[program.steps[-1].output]",
)
add(
    NB,
    "check_run_steps",
    "right",
    "list_of_slots",
    "def answer(program, args):\n    n = 1 + max([s.output for s in program.steps] + list(program.constants) + [len(args) - 1])\n    slots = [None] * n\n    slots[:len(args)] = list(args)\n    for k, c in program.constants.items():\n        slots[k] = c\n    for step in program.steps:\n        slots[step.output] = step.op.forward(*(slots[i] for i in step.inputs))\n    return slots[program.steps[-1].output]",
)

NB = "15_micrograd_compatibility.ipynb"
add(
    NB,
    "check_topo_order",
    "wrong",
    "recursive",
    "def answer(root):\n    order, seen = [], set()\n    def visit(v):\n        if v not in seen:\n            seen.add(v)\n            for c in v._prev:\n                visit(c)\n            order.append(v)\n    visit(root)\n    return order",
)
add(
    NB,
    "check_topo_order",
    "wrong",
    "leaves_dropped",
    "def answer(root):\n    return [v for v in topo_order(root) if v._prev]",
)
add(
    NB,
    "check_topo_order",
    "wrong",
    "root_first",
    "def answer(root):\n    return topo_order(root)[::-1]",
)
add(
    NB,
    "check_topo_order",
    "right",
    "two_stacks",
    "def answer(root):\n    order, seen, stack = [], set(), [(root, False)]\n    while stack:\n        v, done = stack.pop()\n        if done:\n            order.append(v)\n        elif v not in seen:\n            seen.add(v)\n            stack.append((v, True))\n            stack.extend((c, False) for c in v._prev if c not in seen)\n    return order",
)
add(
    NB,
    "check_backward_by_hand",
    "wrong",
    "root_twice",
    "def answer(root):\n    root.grad = 1.0\n    root._backward()\n    for node in reversed(topo_order(root)):\n        node._backward()",
)
add(
    NB,
    "check_backward_by_hand",
    "wrong",
    "seed_two",
    "def answer(root):\n    root.grad = 2.0\n    for node in reversed(topo_order(root)):\n        node._backward()",
)
add(
    NB,
    "check_backward_by_hand",
    "wrong",
    "leaves_only_order",
    "def answer(root):\n    root.grad = 1.0\n    for node in reversed([v for v in topo_order(root) if not v._prev] + [root]):\n        node._backward()",
)
add(
    NB,
    "check_backward_by_hand",
    "right",
    "index_loop",
    "def answer(root):\n    order = topo_order(root)\n    root.grad = 1.0\n    for k in range(len(order) - 1, -1, -1):\n        order[k]._backward()",
)
# A second batch: subtler slips.
add(
    "02_build_a_value.ipynb",
    "check_add",
    "wrong",
    "tiny_offset",
    "class answer(Value):\n    def __add__(self, other):\n        other = Value.lift(other)\n        return Value(self.data + other.data + 1e-6, (self, other), (1.0, 1.0), '+')",
)
add(
    "03_build_backward.ipynb",
    "check_backward",
    "wrong",
    "root_not_reset",
    "def answer(root):\n    order = topological_order(root)\n    for n in order[:-1]:\n        n.grad = 0.0\n    root.grad += 1.0\n    for n in reversed(order):\n        for x, l in zip(n._prev, n._local):\n            x.grad += n.grad * l",
)
add(
    "05_neurons_and_activations.ipynb",
    "check_rrelu",
    "wrong",
    "one_slope_per_session",
    "_slope = {}\ndef answer(v, training, rng, lower=1/8, upper=1/3):\n    if training:\n        a = _slope.setdefault((lower, upper), rng.uniform(lower, upper))\n    else:\n        a = (lower + upper) / 2\n    return v.leaky_relu(a)",
)
add(
    "10_higher_order.ipynb",
    "check_newton_step",
    "right",
    "lstsq",
    "def answer(f, point):\n    vals = [Value(x) for x in point]\n    g = np.array(grad(f(*vals), vals))\n    return np.array(point) - np.linalg.lstsq(hessian(f, point), g, rcond=None)[0]",
)
add(
    "04_gradient_descent.ipynb",
    "check_minibatch_epoch",
    "wrong",
    "shuffled_batches",
    "import random as _r\ndef answer(w, X, t, eta, batch_size):\n    starts = list(range(0, len(t), batch_size)); _r.Random(0).shuffle(starts)\n    w = [Value(v) for v in w]\n    for s in starts:\n        for v, g in zip(w, grad(E_linear(w, X[s:s+batch_size], t[s:s+batch_size]), w)):\n            v.data -= eta * g\n    return [v.data for v in w]",
)
add(
    "07_classification.ipynb",
    "check_logistic_gradient",
    "right",
    "exp_over_one_plus_exp",
    "def answer(w, b, X, t):\n    r = []\n    for x, tn in zip(X, t):\n        z = sum(a*c for a, c in zip(w, x)) + b\n        r.append(math.exp(z) / (1 + math.exp(z)) - tn)\n    return [sum(ri * x[i] for ri, x in zip(r, X)) / len(X) for i in range(len(w))], sum(r) / len(X)",
)
add(
    "11_matrices_and_pytorch.ipynb",
    "check_layer_backward",
    "wrong",
    "float32",
    "def answer(W, b, x, grad_a):\n    W, b, x, grad_a = (np.asarray(v, dtype=np.float32) for v in (W, b, x, grad_a))\n    a = np.tanh(W @ x + b); d = grad_a * (1 - a**2)\n    return np.outer(d, x), d, W.T @ d",
)
add(
    "09_gradient_checking.ipynb",
    "check_numeric_derivative",
    "wrong",
    "step_1e-8",
    "def answer(f, x):\n    h = 1e-8 * max(1.0, abs(x))\n    return (f(x + h) - f(x - h)) / (2 * h)",
)
add(
    "14_tracing.ipynb",
    "check_hard_tanh",
    "wrong",
    "steep_tanh",
    "def answer(x):\n    return (x * 50).tanh()",
)
add(
    "12_training_practice.ipynb",
    "check_early_stop",
    "wrong",
    "patience_from_start",
    "def answer(val_losses, patience):\n    k = min(patience, len(val_losses) - 1)\n    return k, min(range(k + 1), key=lambda i: (val_losses[i], i))",
)
