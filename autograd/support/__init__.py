"""Plumbing shared by both packages: :mod:`~autograd.support.files` (atomic writes) and
:mod:`~autograd.support.extras` (optional packages, named by their extra)."""
