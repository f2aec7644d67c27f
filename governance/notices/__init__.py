"""Notices: what is waiting on a person, or news of what they asked for; in-app and by e-mail."""
