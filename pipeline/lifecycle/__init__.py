"""The model life cycle in the library: versioned model directories, retraining on decisions, the comparison gate.

The service keeps the registry (which version is active, who promoted it); everything here works on files and
data frames, so the batch replay benchmark retrains the same way the service does.
"""
