"""PDPA: the privacy notice and its acceptance, consent per purpose, export of one's data,
erasure of one's account, and the retention sweeps. See rules.py for the periods and what an
erased account becomes, and store.py for why this package touches other domains' tables."""
