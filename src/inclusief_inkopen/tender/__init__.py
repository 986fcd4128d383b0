"""The tender as the rules see it: the profile a buyer fills in, and the facts derived from it (thresholds, light
regime, who uses it).
"""
