"""Pictures of graphs: :mod:`~autograd.viz.draw` (``draw_dot``), :mod:`~autograd.viz.steps`
(the backward pass step by step) and :mod:`~autograd.viz.layout` (Graphviz's work kept
bounded).  Each imports graphviz, so nothing here is loaded by ``import autograd``."""
