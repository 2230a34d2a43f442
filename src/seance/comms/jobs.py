"""The outbox's tick job: to be written."""
