"""apigov-ls: API governance and security linting for OpenAPI descriptions."""

__version__ = "0.1.0"
