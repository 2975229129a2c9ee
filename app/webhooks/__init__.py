"""Webhooks: subscribers, a durable outbox of signed JSON deliveries, and the worker that sends them."""
