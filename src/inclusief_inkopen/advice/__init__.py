"""The advice: evaluating a tender into decisions, and saying them in words (reasons, wording, legal basis) in
Dutch or English; batches.
"""
