"""The phases of a run, in order: read, convert, scan, plan, validate, apply, push, publish.

Each phase is a function (or, for the two that write, a small class) over the run's
``context.RunContext``; ``engine.Engine`` runs them in order.
"""
