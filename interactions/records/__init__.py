"""Interaction records as managers review them in the admin: the transcript, the list's CSV and the transcript as
a standalone HTML document."""
