"""What the command lines share: :mod:`~autograd.cli.commands` (the form of every command),
:mod:`~autograd.cli.expr` (the expression language, parsed, never eval'd) and
:mod:`~autograd.cli.draw` (the ``draw`` command, also ``python -m autograd``)."""
