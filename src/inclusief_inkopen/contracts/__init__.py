"""After the award: contracts made from complete checklists, commitments with KPIs, reports, ratings, due dates.

The same verbs as the command line (``contract new|report|status|due``) and the web app::

    from inclusief_inkopen.contracts import new_contract, report, status, due, overview

    contract = new_contract(checklist, supplier="Schoon BV", start=start, end=end, value_eur=400_000)
    contract = report(contract, "SR-01", on=day, value=6000, by="Cora")
    for s in status(contract, today):
        print(s.commitment, s.rating, s.because.nl)
"""

from inclusief_inkopen.contracts.contract import (
    Contract,
    ContractError,
    Offer,
    evidence_file,
    load,
    save,
)
from inclusief_inkopen.contracts.contract import add_report as report
from inclusief_inkopen.contracts.contract import from_checklist as new_contract
from inclusief_inkopen.contracts.ratings import due, overview, status

__all__ = [
    "Contract",
    "ContractError",
    "Offer",
    "due",
    "evidence_file",
    "load",
    "new_contract",
    "overview",
    "report",
    "save",
    "status",
]
