"""The advice: ``evaluate(tender) -> Advice`` (evaluate), the decisions put into words in Dutch or English
(words, reasons), the published JSON model (model), text and Markdown (render), and many tenders at once (batch).
"""
