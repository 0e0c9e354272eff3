"""``python -m kgpub``: the same command as ``kgpub``."""

from .cli import main

main(prog_name="kgpub")
