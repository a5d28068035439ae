"""Finding the layers in a traced graph: groups of scalar operations done as one on arrays.

The numpy backend (:mod:`~autograd.trace.lower_numpy`) runs every slot over a batch of
samples.  This module finds, in the IR alone (nothing here knows of a network), the
operations that can also run across *neurons* at once, each group a matrix whose rows
are its member slots and whose columns are the samples:

* a :class:`MatMul` is a set of weighted sums ``b + w_1 x_1 + ... + w_K x_K`` with number
  weights and biases (arguments or constants) that read the same inputs: Z = W X + B;
* a :class:`Map` is one op applied row by row to the rows of other groups (and to shared
  slots): H = relu(Z), the sigmoid of a layer, a product of two layers.

The X of a matrix product may itself be the rows of a group (the previous layer's
activations), so a network's layers chain as matrices.  A group's backward runs from one
*template*: the backward block of one member, which every member's block must match
operand for operand (each derived from the same rule); otherwise, or for any operation
outside a group, the backend falls back to one numpy call per slot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..ops import ADD, MUL, Op
from .ir import IR, Backward, Equation

_MIN_TERMS = 3  # a lone sum of fewer products is not worth a matrix product
_MIN_ROWS = 2  # a group of one row is not a group (but a long sum is a product)


@dataclass
class Rows:
    """Operands taken from a group: row ``rows[r]`` of group ``group`` for member r."""

    group: int
    rows: list[int]


@dataclass
class Shared:
    """An operand that is the same slot for every member (a constant, a parameter)."""

    slot: int


@dataclass
class Numbers:
    """An operand that is a number for the whole batch, another one for each member (a
    neuron's bias added after its weighted sum): a column."""

    slots: list[int]


Operand = Rows | Shared | Numbers


@dataclass
class MatMul:
    """Weighted sums of the same inputs: member r is b[r] + sum_k w[r][k] x[k]."""

    ends: list[int]
    w: list[list[int]]
    b: list[int]
    xs: list[int]  # the inputs, in the order of the weights
    inner: list[int]  # the chains' other slots (products, partial sums), done by the product
    x: Rows | None = None  # the inputs as the rows of a group, when they are one


@dataclass
class Map:
    """``op`` applied to each member's operands, one member per row."""

    op: Op
    ends: list[int]
    operands: list[Operand]
    template: list[tuple] | None = None  # the backward block, operands by role (see below)


Group = MatMul | Map


@dataclass
class Plan:
    """The groups of a program for one layout of arrays and numbers.

    ``where[s]`` is (group, row) for a member slot; ``fused`` are slots a matrix product
    computes inside (never named); ``first[g]`` the position, in the forward equations,
    of group g's earliest member, where it is computed; its backward runs at that member's
    block (the last of its members' blocks that backward() reaches).
    """

    groups: list[Group] = field(default_factory=list)
    where: dict[int, tuple[int, int]] = field(default_factory=dict)
    fused: set[int] = field(default_factory=set)
    first: list[int] = field(default_factory=list)


def weighted_sums(ir: IR, batched: frozenset[int], grads: bool) -> list[MatMul]:
    """The MatMul groups of ``ir`` (see :func:`plan`); with ``grads``, only of sums that
    the output depends on (the others have no backward block)."""
    uses = Counter(i for _, ins, _ in ir.equations for i in ins)
    uses.update(ir.slots_of_outputs())
    return _matmuls(ir, batched, uses, _ancestors(ir) if grads else None)


def fused_operands(sums: list[MatMul]) -> dict[int, tuple[int, ...]]:
    """Each weighted sum's slot and its operands (bias, weights, inputs): what
    ``derive(ir, fused=...)`` takes to leave the sums' own equations out."""
    return {end: (b, *w, *mm.xs) for mm in sums for end, w, b in zip(mm.ends, mm.w, mm.b)}


def _ancestors(ir: IR) -> set[int]:
    """The computed slots that the output depends on: backward() reaches each of them."""
    needed = set(ir.slots_of_outputs())
    found = set()
    for equations in (ir.equations, ir.constant_equations):
        for _, ins, out in reversed(list(equations)):
            if out in needed:
                found.add(out)
                needed.update(ins)
    return found


def plan(ir: IR, batched: frozenset[int], grads: bool, sums: list[MatMul] | None = None) -> Plan:
    """The groups of ``ir`` when the slots ``batched`` hold one number per sample; ``sums``
    are its :func:`weighted_sums` if known (``ir.backward`` may then leave them out)."""
    position = {out: k for k, (_, _, out) in enumerate(ir.equations)}
    if sums is None:
        sums = weighted_sums(ir, batched, grads)
    forbidden: set[int] = set()
    while True:  # a group whose members' blocks differ is not formed, nor what reads it
        p = Plan()
        for mm in sums:
            _add(p, mm, mm.ends, position)
            p.fused.update(mm.inner)
        _maps(ir, p, batched, forbidden, position)
        failed = _templates(ir, p) if grads and ir.backward is not None else set()
        if not failed:
            break
        forbidden |= failed
    for g in p.groups:
        if isinstance(g, MatMul):
            g.x = _as_rows(p, g.xs)
    return p


def _add(p: Plan, group: Group, ends: list[int], position: dict[int, int]) -> None:
    k = len(p.groups)
    p.groups.append(group)
    for r, s in enumerate(ends):
        p.where[s] = (k, r)
    p.first.append(min(position[s] for s in ends))


def _as_rows(p: Plan, slots: Sequence[int]) -> Rows | None:
    """``slots`` as rows of one group, if they are."""
    places = [p.where.get(s) for s in slots]
    if not places or any(w is None for w in places):
        return None
    groups = {w[0] for w in places if w is not None}
    if len(groups) != 1:
        return None
    return Rows(groups.pop(), [w[1] for w in places if w is not None])


# ---- weighted sums -------------------------------------------------------------------


def _matmuls(
    ir: IR, batched: frozenset[int], uses: Counter, reached: set[int] | None
) -> list[MatMul]:
    """The weighted sums of batched inputs with number weights and bias (arguments or
    constants), grouped by their inputs; only groups worth a matrix product."""

    def fixed(i: int) -> bool:  # a number for the whole batch, known before any step
        return i not in batched and (i < ir.num_inputs or i in ir.constants)

    terms: dict[int, tuple[int, int]] = {}  # a product w * x used once: its w and x
    for op, ins, s in ir.equations:
        if op is MUL and uses[s] == 1:
            a, b = ins
            if fixed(a) and b in batched:
                terms[s] = a, b
            elif fixed(b) and a in batched:
                terms[s] = b, a
    links: dict[int, tuple[int, int, int, int]] = {}  # s = previous + w * x
    for op, ins, s in ir.equations:
        if op is ADD and ins[1] in terms:
            links[s] = (ins[0], ins[1], *terms[ins[1]])
    continued = {a for a, *_ in links.values() if a in links and uses[a] == 1}
    found: dict[tuple[int, ...], MatMul] = {}
    for s in links:  # in the order of the equations
        if s in continued:
            continue
        ws, xs, inner, cur = [], [], [], s
        while True:
            a, m, w, x = links[cur]
            ws.append(w)
            xs.append(x)
            inner.append(m)
            if a in continued:
                inner.append(a)
                cur = a
                continue
            break
        if not fixed(a) or (reached is not None and s not in reached):
            continue
        ws.reverse()
        xs.reverse()
        mm = found.setdefault(tuple(xs), MatMul([], [], [], xs, []))
        mm.ends.append(s)
        mm.w.append(ws)
        mm.b.append(a)
        mm.inner += inner
    return [
        mm for mm in found.values() if len(mm.ends) >= _MIN_ROWS or len(mm.w[0]) >= 2 * _MIN_TERMS
    ]


# ---- ops row by row ----------------------------------------------------------------------


def _maps(
    ir: IR, p: Plan, batched: frozenset[int], forbidden: set[int], position: dict[int, int]
) -> None:
    """Group, again and again until nothing more joins, the equations whose operands are
    rows of groups or shared slots: one group per op and per source of each operand."""
    while True:
        candidates: dict[tuple, list[tuple[int, tuple[int, ...]]]] = {}
        for op, ins, out in ir.equations:
            if out in p.where or out in p.fused or out not in batched or out in forbidden:
                continue
            key = _map_key(ir, p, op, ins, batched)
            if key is not None:
                candidates.setdefault(key, []).append((out, ins))
        formed = False
        for key, members in candidates.items():
            members = _one_per_row(p, members)
            if len(members) < _MIN_ROWS:
                continue
            op = key[1]
            operands: list[Operand] = []
            for k, source in enumerate(key[2:]):
                if source[0] == "rows":
                    operands.append(Rows(source[1], [p.where[ins[k]][1] for _, ins in members]))
                    continue
                if source[0] == "shared":
                    operands.append(Shared(source[1]))
                    continue
                slots = [ins[k] for _, ins in members]
                same = all(x == slots[0] for x in slots)
                operands.append(Shared(slots[0]) if same else Numbers(slots))
            _add(
                p, Map(op, [out for out, _ in members], operands), [o for o, _ in members], position
            )
            formed = True
        if not formed:
            return


def _map_key(
    ir: IR, p: Plan, op: Op, ins: tuple[int, ...], batched: frozenset[int]
) -> tuple | None:
    """(op, source of each operand) if every operand is a group's row or a number for the
    whole batch (the same for every member, or one each), and one at least is a row."""
    sources: list[tuple] = []
    for i in ins:
        if i in p.where:
            sources.append(("rows", p.where[i][0]))
        elif i in batched:
            return None
        elif i < ir.num_inputs or i in ir.constants:  # in E: one each, or the same
            sources.append(("number",))
        else:  # computed from numbers only: shared, if the same slot
            sources.append(("shared", i))
    if all(s[0] != "rows" for s in sources):
        return None
    return (id(op), op, *sources)  # ops by identity: two ops may share a name


def _one_per_row(p: Plan, members: list[tuple[int, tuple[int, ...]]]) -> list:
    """The members, keeping the first that reads each row of the first grouped operand."""
    seen: set[tuple] = set()
    kept = []
    for out, ins in members:
        rows = tuple(p.where[i] for i in ins if i in p.where)
        if rows not in seen:
            seen.add(rows)
            kept.append((out, ins))
    return kept


# ---- backward templates ------------------------------------------------------------------


def _templates(ir: IR, p: Plan) -> set[int]:
    """Give each Map its backward block, by role; return the members of the Maps whose
    members' blocks differ (such a group is not formed: one call per slot is always right)."""
    b = ir.backward
    assert b is not None
    blocks = {block.node: block for block in b.blocks}
    made = {out: ins for _, ins, out in ir.equations}
    failed: set[int] = set()
    for g in p.groups:
        if not isinstance(g, Map):
            continue
        shapes = []
        for member in g.ends:
            block = blocks.get(member)
            if block is not None:  # a member never reached passes nothing on
                eqs = b.equations[block.start : block.stop]
                shapes.append(_template(eqs, member, made[member], block.gradient, b))
        if shapes and shapes[0] is not None and all(s == shapes[0] for s in shapes):
            g.template = shapes[0]
        else:
            failed.update(g.ends)
    return failed


def _template(
    block: list[Equation], member: int, ins: tuple[int, ...], gradient: int, b: Backward
) -> list[tuple] | None:
    """The block's equations, (id(op), op, result, operands), with each slot named by its
    role: ('self',) the member, ('in', k) its k-th input, ('g',) its gradient, ('t', j)
    the block's j-th result, ('c', slot) a constant of the rules, ('acc', k) the gradient
    of input k (a result that is an add into it, in place).  None if a slot has no role."""
    temps: dict[int, int] = {}
    out: list[tuple] = []

    def role(i: int) -> tuple | None:
        if i == gradient:
            return ("g",)
        if i in temps:
            return ("t", temps[i])
        if i == member:
            return ("self",)
        if i in b.constants:
            return ("c", i)
        for k, x in enumerate(ins):
            if i == x:
                return ("in", k)
            if i == b.gradient[x]:
                return ("acc", k)
        return None

    for op, eq_ins, result in block:
        roles = [role(i) for i in eq_ins]
        if any(r is None for r in roles):
            return None
        if result == eq_ins[0] and roles[0] is not None and roles[0][0] == "acc":
            out.append((id(op), op, roles[0], (roles[1],)))  # g_input += term, in place
            continue
        temps[result] = len(temps)
        out.append((id(op), op, ("t", temps[result]), tuple(roles)))
    return out
