"""The built-in fixes; importing this package registers them (see apigov_ls.fixes.registry)."""

from apigov_ls.fixes.builtin import docs, paths, responses, schemas, security, tags, urls  # noqa: F401
