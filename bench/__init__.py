"""Benchmarks: each compares two ways of doing a thing, measured side by side in one run.

The machines are shared and noisy, so absolute times mean little; each benchmark
interleaves its two variants and reports the median ratio.
"""
