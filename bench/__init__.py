"""Benchmark harness of issue 8: `python -m bench [--only NAME[,NAME]] [--quick]`.

Sets up what it needs (throwaway PostgreSQL databases, the web server as production runs it, the job
process), runs each figure, prints a table and writes bench/results.json.
"""
