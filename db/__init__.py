"""Data layer: models, engine and the domain operations, one module per capability.

Nothing here imports Dash, Flask or the components: pages, jobs and the command line all share
these rules.
"""
