"""Benchmarks (not tests): `python -m bench.load` drives the served app with concurrent chat users on loopback;
`python -m bench.scale` measures ingest, index size, memory and query latency on a synthetic archive of up to
100,000 chunks. Results go to bench/out/ (JSON and a markdown table); the README quotes them."""
