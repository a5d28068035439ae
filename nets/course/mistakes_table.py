"""The known mistakes of the course's exercises: generated, do not edit.

``python -m nets.course mistakes`` writes this file from the teacher notebooks: for
each check, the fingerprint of each kept wrong answer's failure and its hints
(see nets.course.hints).
"""

MISTAKES: dict[str, dict[str, list[str]]] = {
    "check_adam_update": {
        "2eda97143ecd3544": [
            "the sign: Adam steps against the gradient",
        ],
        "687391dd0e3b29d8": [
            "beta1 averages the gradients, beta2 their squares",
        ],
        "917aa3523c0e2a4b": [
            "eps goes outside the square root: sqrt(v_hat) + eps",
        ],
        "b4d94e4e6d412cad": [
            "correct with beta^t, t counting from 1",
        ],
        "dd0b1100b03f9273": [
            "divide m and v by 1 - beta^t: the bias correction",
        ],
    },
    "check_add": {
        "1d2303068ad87f95": [
            "self.data + other adds a Value to a number: use other.data",
        ],
        "4e624fb768d1cebd": [
            "an autograd.Value: build a Value of this notebook's class",
        ],
        "589519832c856569": [
            "_prev must hold both inputs, in order",
        ],
        "79811eb7dd643e78": [
            "a number copied from the example: compute self.data + other.data",
        ],
        "8c059db45ca60895": [
            "a product's local derivatives; a sum's are 1 and 1",
        ],
        "d59ddc909eb37b66": [
            "self is changed and returned: build a new Value instead",
        ],
    },
    "check_backward": {
        "03f1aa35fa64e28e": [
            "seed the root: d root / d root = 1",
        ],
        "194332c66929f9ba": [
            "every node's .grad must hold its gradient, not only the inputs'",
        ],
        "30bfa4ee43831e1c": [
            "walk the order backwards, from the root to the inputs",
        ],
        "4fd88a8c8fed985f": [
            "= replaces the earlier shares: add them up with +=",
        ],
        "52c9b7003a8baef3": [
            "each share is node.grad * local, not local alone",
        ],
        "6ecff5a481bb3017": [
            "start every .grad from 0: a second call adds onto the first",
        ],
    },
    "check_backward_by_hand": {
        "3489c6ab958f7712": [
            "walk the order backwards: the root first",
        ],
        "8c62a030ef4bdbaa": [
            "backward() did the exercise: call each _backward()",
        ],
        "bc1ddfa26b0269ee": [
            "seed the root first: root.grad = 1",
            "the root's own _backward() is needed too",
        ],
    },
    "check_chain_input_gradient": {
        "0fbc141d10431f65": [
            "each factor is g'(z_l) times the weight w_l",
        ],
        "1292b3e941e6f503": [
            "g' is taken at z_l, the input of g, not at h_l",
        ],
        "40b3d32a2627f219": [
            "the engine did the exercise: use the product formula",
        ],
    },
    "check_circle_features": {
        "3e23fe118fe455ee": [
            "x1 x2 draws hyperbolas; a circle needs x1^2 + x2^2",
        ],
        "8b7ee53a08dd6449": [
            "x1^2 alone gives a parabola; a circle needs both squares",
        ],
        "b9c8a51fd261dedb": [
            "a line cannot separate circles: add a feature for the radius",
        ],
    },
    "check_critical_rate_by_experiment": {
        "bd2ceccfb31f8fae": [
            "half the rate: E = (1/2n)||t - Xw||^2 keeps the 1/2",
        ],
        "c8e26d9675737485": [
            "2/λmax from eigenvalues: find the rate by experiment",
        ],
        "ccd2006137da7611": [
            "a number copied from this notebook: experiment on X and t",
        ],
    },
    "check_descend_with_restarts": {
        "6853f2f12607471d": [
            "use the eta and steps you are given",
        ],
        "882dca329fde319d": [
            "max for min: keep the run that ends lowest",
            "one start only: descend from every start",
        ],
        "8ed631940c50c8f0": [
            "a grid search: run gradient descent from the starts",
        ],
    },
    "check_dual": {
        "47319254006c80a2": [
            "the product rule has two terms: a b' + a' b",
            "(ab)' = a b' + a' b, not a' b'",
        ],
        "62508213f94b511b": [
            "the chain rule: (1 - t^2) times the inner derivative a'",
        ],
    },
    "check_early_stop": {
        "14ebac5f8f4b3b42": [
            "compare with the best loss so far, not the round before",
        ],
        "253ec2506cb70512": [
            "best may not look at rounds after the stop",
        ],
        "8278a56c33dffada": [
            "an equal loss is not lower: keep the first best",
        ],
        "a4312be7e0c38934": [
            "max for min: best is the round with the LOWEST loss",
        ],
        "f422b514dc46cd48": [
            "stop after patience rounds without a new best, not one more",
        ],
    },
    "check_h_and_grads": {
        "0f818cd278a12ac0": [
            "y is used twice: its two shares add up",
        ],
        "3331efc0101fdd27": [
            "the engine did the exercise: write the chain rule out",
        ],
        "8effdb1a382d0703": [
            "numbers copied from one point: compute them from x, y, z",
        ],
        "f2922125b2074111": [
            "a product hands each input the OTHER input's value",
        ],
    },
    "check_hard_tanh": {
        "2a3d9cade353ebaf": [
            "one unit too high: subtract 1",
        ],
        "779161c9047ed310": [
            "a Python if decides once, during the trace: use relu kinks",
        ],
        "94d83859b43d2eed": [
            "tanh is smooth: the clamp is flat beyond -1 and 1",
        ],
        "98d85efe09773575": [
            "a clamp has two kinks, at -1 and at 1",
        ],
        "cb8730fdad6470fb": [
            "allow_data bakes the traced branch in: use relu kinks",
        ],
    },
    "check_hardest_class": {
        "2ea3c3889b26020c": [
            "argmax for argmin: the hardest class has the LOWEST recall",
        ],
        "642bbb974a481bcd": [
            "among equal recalls, the smallest label",
        ],
        "b4c7063d691943b6": [
            "compare recalls, not counts: classes differ in size",
        ],
    },
    "check_hessian": {
        "0eac71e8d05de3d5": [
            "the mixed terms d^2 f / dx_i dx_j are missing",
        ],
        "560b40266c0c7f8f": [
            "g g^T has no curvature: differentiate the gradient again",
        ],
        "6105f7af758498ef": [
            "finite differences: differentiate at the point itself",
        ],
        "8120e9fbccf3b42e": [
            "Rosenbrock's closed form for every f: use the engine",
        ],
        "ec461133ff91d9c1": [
            "grad(..., create_graph=True): floats cannot be differentiated",
        ],
    },
    "check_input_weight_gradient": {
        "17c4f0c818b2de2c": [
            "the tanh slope (1 + h_j)(1 - h_j) is missing",
        ],
        "31ca44cc681a1a69": [
            "the note's number copied: compute from the arguments",
        ],
        "47d4281f17cdd564": [
            "the slope is (1 + h_j)(1 - h_j), not (1 - h_j)",
        ],
        "721bee577739df5c": [
            "the weight's tail is the input x_i, not h_j",
        ],
        "af81ea5858113cc9": [
            "sum delta_k w_jk over every output k",
        ],
        "bcbf085e559aea33": [
            "the sign: use the deltas as given",
        ],
    },
    "check_layer_backward": {
        "14e3f3b85a992ade": [
            "the engine did the exercise: write it with numpy",
        ],
        "257357f79b210490": [
            "back through W transposed: dL/dx = W.T @ delta",
        ],
        "6f5a091ce5bfd043": [
            "dL/dW = outer(delta, x), not outer(x, delta)",
        ],
        "d2060496798ac2a1": [
            "delta = grad_a * (1 - a^2): the tanh slope is missing",
        ],
        "d94d016f7031f3c4": [
            "the slope is 1 - a^2 with a = tanh(z), not 1 - z^2",
        ],
    },
    "check_least_certain": {
        "04098a6b8ce467f4": [
            "the top probability, not the gap between the two largest",
        ],
        "0a1e977b509b2bfd": [
            "among equal rows, the first",
        ],
        "5aec07e223a4bd0a": [
            "compare each row's LARGEST probability, not its smallest",
            "the row whose top probability is the lowest, not the highest",
        ],
        "cf5709d977adcf66": [
            "the top probability, not the spread of the row",
        ],
    },
    "check_logistic_gradient": {
        "877997676a4bd037": [
            "db is a number, not a list",
        ],
        "89a84b664d18487b": [
            "each weight's gradient is the mean of (p - t) times its x_i",
        ],
        "9cd2bceab643beee": [
            "divide by N: the loss is the mean over the rows",
        ],
        "bba5348f9701304c": [
            "the engine did the exercise: use the formula",
        ],
        "c711ed294643de53": [
            "the sign: the gradient is (p - t) x, not (t - p) x",
        ],
        "f10450e4eb9d8da0": [
            "z - t is a linear model's; use p = sigmoid(z): (p - t) x",
        ],
    },
    "check_minibatch_epoch": {
        "b44be124d2121376": [
            "step after each batch, not once per epoch",
        ],
        "c53cbe7b3ac5cad3": [
            "the short last batch: take the mean over its own size",
        ],
        "f7c224de9198b699": [
            "the list you were given changed: return a new list",
        ],
    },
    "check_mul": {
        "1ea9f500f1d0b1b9": [
            "_local holds Values: store the numbers other.data and self.data",
        ],
        "70ad611472be0354": [
            "each input's derivative is the OTHER input's value",
        ],
        "c20b667bd1504b9b": [
            "a sum's local derivatives (1, 1); a product's are swapped values",
        ],
    },
    "check_my_log_softmax": {
        "192dc5bf4f170653": [
            "the log-sum-exp must be a Value too, or its gradient is lost",
        ],
        "26186211a39bfa8a": [
            "shift by the largest logit, not the mean: exp still overflows",
        ],
        "29021d464f556585": [
            "shift by the largest logit, not the first one",
        ],
        "5dfed3c1f55903c1": [
            "the library did the exercise: write the log-sum-exp",
        ],
        "7002cdbfceef55bf": [
            "exp overflows at 1000: subtract the largest logit m first",
        ],
        "88838d28bf4774b0": [
            "shift both terms: (z_i - m) - log sum_j exp(z_j - m)",
        ],
        "bf23e129c581144a": [
            "log(p) is log(0) once p underflows: subtract the log-sum-exp",
        ],
    },
    "check_newton_step": {
        "260c3d31ac1cc964": [
            "H grad f: solve H delta = grad f instead",
        ],
        "74c95f7e068b9a54": [
            "the diagonal only: solve with the whole Hessian",
        ],
        "aad1183de7196597": [
            "a gradient step: Newton solves H delta = grad f",
        ],
        "cecc5d910739818f": [
            "the sign: step to x - H^-1 grad f",
        ],
    },
    "check_numeric_derivative": {
        "20987178a32bb34b": [
            "a step that large has a big truncation error: about 1e-6",
        ],
        "791b34c1ab15ff40": [
            "the step must grow with |x|: h = 1e-6 max(1, |x|)",
        ],
        "a0815b56b341edd8": [
            "the engine did the exercise: write the difference",
        ],
        "b3da00512cd4599d": [
            "at x = 0 the step is 0: use max(1, |x|)",
        ],
        "d5101b125d4f7452": [
            "a forward difference: use (f(x + h) - f(x - h)) / 2h",
        ],
        "e0c8c1632fe2e683": [
            "a step that tiny drowns in rounding error: take about 1e-6",
        ],
        "fa44340a55e419b7": [
            "sin's derivative for any f: differentiate the f given",
        ],
    },
    "check_perceptron_step": {
        "08a1013cb295f5dc": [
            "a score of exactly 0 predicts 1: use >= 0",
        ],
        "24c0fd3fabc434a4": [
            "the error is y - yhat after the step, not y - (w.x + b)",
        ],
        "9d3096639f6307b7": [
            "the sign: add eta (y - yhat) x, do not subtract it",
        ],
        "ba7b314962537643": [
            "the bias learns too: b + eta (y - yhat)",
        ],
    },
    "check_recall_per_class": {
        "56d97249481159b9": [
            "divide by the class's own images, the row sum",
        ],
        "929b160aef5cd0a3": [
            "that is precision: divide by the row sum (the true class)",
        ],
    },
    "check_relu": {
        "34ec263a2e607ee5": [
            "the negative side is flat: its slope is 0",
        ],
        "83a205177f24cf51": [
            "the output max(0, a) is not the slope: the slope is 1 or 0",
        ],
    },
    "check_rrelu": {
        "1b02b716dc7caad0": [
            "at test time the mean slope, not the upper bound",
        ],
        "5e4abe2f30c38902": [
            "at test time the slope is the mean (lower + upper) / 2",
        ],
        "707125255864981a": [
            "positive inputs pass unchanged: scale only negative ones",
        ],
    },
    "check_run_steps": {
        "325db6de2a095f8d": [
            "give op.forward the value of every input slot",
        ],
        "35ceeac1e839babb": [
            "the compiled replay did the exercise: loop over the steps",
        ],
        "4245e5eb3baaf357": [
            "run the steps in their order, first to last",
        ],
        "b1eee34a9051833a": [
            "fill the constants' slots from program.constants first",
        ],
        "b21b07b7bf36996c": [
            "return the slot the LAST step wrote",
        ],
    },
    "check_sigmoid_output_gradients": {
        "3987ca927149d836": [
            "the engine did the exercise: write the delta rule",
        ],
        "9d7ccaf405a83eb5": [
            "the output delta needs sigma': (a - t) a (1 - a)",
        ],
        "a528c0b5ecac51bc": [
            "numbers of one network copied: compute from x, t, w, b",
        ],
        "b8b7bba09d89ed75": [
            "tanh' is (1 + h)(1 - h), not 1 - h",
        ],
        "dbf5d323de176e4f": [
            "hidden units are tanh: their slope is (1 + h)(1 - h)",
        ],
    },
    "check_softmax_jacobian": {
        "0591c878f1972643": [
            "on the diagonal p_j (1 - p_j), not p_j",
        ],
        "481841cc584a1aca": [
            "the engine did the exercise: write the formula",
        ],
        "736a13600b707602": [
            "two cases: p_j (1 - p_j) on the diagonal, -p_j p_i off it",
        ],
        "bc7e663ac128efad": [
            "every p_j depends on every z_i: off the diagonal, -p_j p_i",
        ],
        "f276baf19226616a": [
            "the sign off the diagonal: -p_j p_i",
        ],
    },
    "check_softmax_squared_error_gradient": {
        "19ac954d48c84cd2": [
            "p - t is the cross-entropy's gradient, not this loss's",
        ],
        "20db27d34c184b8e": [
            "the engine did the exercise: use the chain rule",
        ],
        "8023a4124e156a59": [
            "every p_k depends on z_i: sum over k of the full Jacobian",
        ],
        "80bbbf5dd6507c20": [
            "twice too large: E has a 1/2 in front",
        ],
        "d462e642ca57249c": [
            "the sign: dE/dp_k = p_k - t_k",
        ],
    },
    "check_softsign_derivative": {
        "a7a857a61a3dfcb4": [
            "right for x > 0 only: write |x| with abs",
        ],
        "b8a40b200e43f169": [
            "the quotient rule's square is missing: 1 / (1 + |x|)^2",
        ],
        "ded0dad6646314cb": [
            "math.fabs works on floats only: use abs for Values",
        ],
        "f044f06189f48162": [
            "a sign slip in the quotient rule: the result is 1 / (1 + |x|)^2",
        ],
    },
    "check_squared_error_gradient": {
        "0a07d0b32b7e743d": [
            "the sign: dE/dw_j = -(1/n) sum_i (t_i - o_i) x_ij",
        ],
        "225bfa399e214d1f": [
            "divide by n: E is a mean",
        ],
        "4ab363e196757cc5": [
            "twice too large: E has a 1/2 in front",
        ],
        "b01b7c9a0ea08b8f": [
            "the engine did the exercise: use the formula",
        ],
    },
    "check_tanh": {
        "3e62a6722344b856": [
            "tanh's local derivative 1 - t*t is missing",
        ],
        "45f76e50a12f3e32": [
            "t*t instead of 1 - t*t",
        ],
        "f0b9eff21886ad6a": [
            "1 - a*a of the input; the derivative is 1 - t*t of the output t",
        ],
    },
    "check_topo_order": {
        "3cecb827563c511a": [
            "a node comes before its inputs: append it after them",
        ],
        "5390d21330557f62": [
            "shared nodes come twice: keep a set of the nodes seen",
        ],
        "80c8d382ade4804d": [
            "follow every input of each node, not only one",
        ],
        "fcf6d610f6834ea0": [
            "the engine's order: write your own",
        ],
    },
    "check_topological_order": {
        "07d4c59ea0879825": [
            "check the placed set for every node, not only the leaves",
        ],
        "141adda5bc986089": [
            "a node comes before its inputs: place the inputs first",
        ],
        "9d997e3f2f9251f9": [
            "autograd's order: write your own, for your class",
        ],
        "a7ccd5f6a695706a": [
            "a node used twice is listed twice: keep a set of placed nodes",
        ],
        "bbb1dc3ef3f4f50d": [
            "level by level is not enough: go depth first",
        ],
    },
    "check_value_from_02": {
        "450e6797fa152238": [
            "a product's local derivatives; a sum's are 1 and 1",
        ],
        "48b9e27058f48948": [
            "at 0 the slope is 0, as in autograd: test self.data > 0",
        ],
        "8ed9d246535e0b4d": [
            "each input's derivative is the OTHER input's value",
        ],
        "9e2e17115949eb79": [
            "1 - a*a of the input; the derivative is 1 - t*t of the output t",
        ],
        "c6d998e32a82fad8": [
            "self is changed and returned: build a new Value instead",
        ],
    },
}
