"""Scripts that print measured figures (docs/benchmarks.md); run each as a script."""
