"""The defaults of the run-time limits (SPEC section 6): the flags, the interpreter and the
README say the same numbers."""

#: Loop iterations (and items a builtin walks) per program or input: the seeds'
#: `while b.norm() < 1000` with a = 0 ends here after ~1 GB and tens of seconds, instead of
#: filling the memory (each pass keeps ~0.8 KB of graph).
MAX_STEPS = 1_000_000
#: Function call depth.
MAX_CALL_DEPTH = 200
