"""Every write to interactions and messages goes through these functions."""
