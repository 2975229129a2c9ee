"""Service functions over the evidence store: the one place where reads and writes are implemented.

The REST API, the web pages, the CLI and the seed loader are thin adapters over these.
"""
