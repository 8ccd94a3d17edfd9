"""Print-ready Excel appendix: layout helpers for the Cabinet performance report."""
