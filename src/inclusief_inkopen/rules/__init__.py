"""The rule language and the catalogue: conditions (the language), catalogue (the file formats), placeholders,
loader (reading a folder and its layers), decide (which criteria apply, compiled), ruletests (the tests kept beside
the rules), catalogues (load = read + test + keep), freshness (review dates).
"""
