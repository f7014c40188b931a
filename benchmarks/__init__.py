"""Overhead benchmarks: friendli_core and the adapters against raw httpx and the peers.

`python -m benchmarks.run` starts `benchmarks.sse_server` on its own CPU, runs every client in a
fresh process per round (`benchmarks.figures`) and writes `benchmarks/RESULTS.md`.
"""
