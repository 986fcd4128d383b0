"""The web app for buyers and category managers and the HTTP API for tender platforms (``inclusief-inkopen serve``).

Optional: install with ``pip install 'inclusief-inkopen[web]'``. The library and the command line do without it.
"""
