"""``python -m kgpub``: the same command as ``kgpub``."""

from kgpub.cli import main

main(prog_name="kgpub")
