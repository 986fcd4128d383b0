"""For people who write and publish catalogues: the generated reference, the diff between two catalogues, the JSON
Schemas.
"""
