"""The partner API: a JSON API, with its OpenAPI schema, for partner agencies' own case systems.

A partner system holds a token for its agency; each token acts as one of that agency's accounts, so the access
policy and the audit trail treat its calls like that person's. docs/api.md is the partner's guide.
"""
