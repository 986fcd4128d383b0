"""Checklists for comply or explain (pas toe of leg uit): the model, rendering for people, the spreadsheet."""
