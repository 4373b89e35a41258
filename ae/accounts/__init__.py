"""People: accounts, passwords, roles per conference, invitations, password resets and API tokens.

Every secret a link or a token carries is stored as its sha256 only; passwords as argon2 hashes.
"""
