"""The rule language and the catalogue: conditions, catalogue files, parameters and lists, loading and layers,
decisions, rule tests, freshness.
"""
