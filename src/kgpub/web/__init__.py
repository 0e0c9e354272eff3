"""What readers see: the pages drawn from a build, served live by ``kgpub serve`` and written by ``kgpub site``."""
