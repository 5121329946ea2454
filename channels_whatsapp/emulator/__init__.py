"""A stand-in for Meta's WhatsApp Cloud API, run as its own process.

Meta's servers are out of reach in development and tests, so this package speaks the Graph API wire
format over real HTTP, posts signed webhooks back to the app and serves a "customer phone" page where a
person plays the WhatsApp user. The app only changes its base URL to use it.
"""
