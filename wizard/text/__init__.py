"""Text rules: verdicts, value parsing, primitive checks, secrets and their masking, errors.

Pure functions and data; imports nothing of the wizard's other packages.
"""
