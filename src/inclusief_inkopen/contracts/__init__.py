"""After the award: contracts made from complete checklists, commitments with KPIs, reports, ratings, due dates."""
