"""Stripe Checkout: to be written."""
