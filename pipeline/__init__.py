"""lapor-triage: triage of Indonesian citizen complaints (SP4N-LAPOR!)."""

__version__ = "0.1.0"
