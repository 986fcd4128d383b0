"""Published notices: reading eForms and OCDS, importing them as tender profiles, comparing them with the advice,
scanning a portfolio.
"""
