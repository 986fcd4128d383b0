"""The vocabulary every room shares: texts in Dutch and English, errors, safe file reading and writing, dated
parameters, and the CPV 2008 list.
"""
