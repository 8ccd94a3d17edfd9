"""ragbook's own sign-in check for xlwings Server (see auth/custom)."""
