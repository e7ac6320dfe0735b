"""Two-factor authentication: TOTP, backup codes, login lockout and trusted devices (spec D25)."""
