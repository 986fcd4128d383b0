"""``{{parameter/name}}`` in a criterion's title or text stands for the parameter's value on the evaluation date."""

import re

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9\-/]+)\s*\}\}")
