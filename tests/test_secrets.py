"""apigov-secret-in-description / apigov-secret-high-entropy: detection, placeholders, masking, the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apigov_ls.engine.functions.apigov_secrets import find_secret, is_placeholder, mask_secret, shannon_entropy
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.lint import lint_file
from apigov_ls.reporters import FORMATS, render

GITHUB = "ghp_" + "R8x2mQv7LzK4pN9tW3yB6cF1hJ5dS0aE2gU7"
REAL_LOOKING = {
    "AWS access key ID": "AKIA" + "Z7Q2M4R8T1V6X3N5",
    "GitHub token": GITHUB,
    "GitLab token": "glpat-" + "k3Jd8sLq0Zx7Vb2Nm4Pw",
    "Slack token": "xoxb-" + "2048193-77612-Kq8sLd0Zx7Vb",
    "Stripe live key": "sk_live_" + "51H8kLq0Zx7Vb2Nm4PwR9t",
    "Google API key": "AIza" + "SyD8kLq0Zx7Vb2Nm4PwR9tY3uI6oP1aS5dF",
    "JSON Web Token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYWxpY2UiLCJyb2xlIjoiYWRtaW4ifQ.kL9zQ2xV7bN4mP1wR8tY3uI6oA5sD0fG",
    "private key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAuEPzOUE+kiEH1WLiMeBytTEF856j0hOVcSUSUkZxKvqczkWM\n-----END RSA PRIVATE KEY-----",
    "password in a URL": "postgres://admin:Vb2Nm4PwR9tQ@db.internal:5432/app",
}


@pytest.mark.parametrize("kind,value", sorted(REAL_LOOKING.items()))
def test_known_credential_shapes_are_found_and_masked(kind, value):
    hit = find_secret(f"Use {value} here", detect=("patterns",))
    assert hit is not None and hit.kind == kind
    secret_core = value.split("@")[0].split(":")[-1] if kind == "password in a URL" else value
    assert secret_core not in hit.masked
    assert "****" in hit.masked


@pytest.mark.parametrize("value", [
    "ghp_<your-token>", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ghp_" + "a" * 36, "AKIAIOSFODNN7EXAMPLE",
    "https://user:{password}@api.example.com", "https://user:password@api.example.com", "https://${USER}:${PASS}@host",
    "your-api-key", "changeme", "sk_test_51H8kLq0Zx7Vb2Nm4PwR9t",
    # the jwt.io sample token
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
])
def test_placeholders_are_not_reported(value):
    assert find_secret(value, name="api_key") is None


def test_entropy_needs_a_credential_name():
    value = "9f8Kq2LmZx7Vt4Rb1Nc6Wd3Hy5Ju0Pe"
    assert shannon_entropy(value) > 3.5
    assert find_secret(value, name="client_secret") is not None
    assert find_secret(value, name="request_id") is None
    assert find_secret(value, name="next_page_token") is None
    assert find_secret(value, name="client_secret", detect=("patterns",)) is None
    assert find_secret("aaaaaaaaaaaaaaaaaaaaaaaa", name="password") is None
    assert find_secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", name="secret") is None  # one unit repeated


def test_mask_keeps_prefix_and_last_four_only_for_long_values():
    assert mask_secret(GITHUB, "ghp_") == "ghp_****...****" + GITHUB[-4:]
    assert mask_secret("short1234", "") == "****...****"
    assert is_placeholder("<token>") and is_placeholder("{token}") and is_placeholder("XXXX-XXXX")


DOC = f"""openapi: 3.0.3
info: {{title: T, version: "1"}}
servers:
  - url: https://deploy:Vb2Nm4PwR9tQ@api.example.com
x-internal-key: {REAL_LOOKING["AWS access key ID"]}
paths:
  /a:
    get:
      parameters:
        - name: api_key
          in: query
          schema:
            type: string
            enum: [{REAL_LOOKING["Stripe live key"]}]
          example: Zk3q9XvL0pR7tW2yB5nM8cJ
      responses:
        "200":
          description: OK
          content:
            application/json:
              examples:
                one:
                  value: {{token: {GITHUB}, page_token: Zk3q9XvL0pR7tW2yB5nM8cJ}}
"""


@pytest.fixture(scope="module")
def secret_results(tmp_path_factory):
    path = tmp_path_factory.mktemp("s") / "api.yaml"
    path.write_text(DOC)
    return path, lint_file(str(path), load_ruleset("apigov:secrets")).results


def test_rules_report_each_published_secret_at_its_path(secret_results):
    _, results = secret_results
    got = sorted((r.code, ".".join(map(str, r.path))) for r in results)
    assert got == sorted([
        ("apigov-secret-in-description", "servers.0.url"),
        ("apigov-secret-in-description", "x-internal-key"),
        ("apigov-secret-in-description", "paths./a.get.parameters.0.schema.enum.0"),
        ("apigov-secret-in-description", "paths./a.get.responses.200.content.application/json.examples.one.value.token"),
        ("apigov-secret-high-entropy", "paths./a.get.parameters.0.example"),
    ])


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_shows_a_secret(secret_results, fmt):
    path, results = secret_results
    text = render(fmt, results, files=[str(path)], cwd=str(path.parent))
    assert results and text
    for secret in [GITHUB, REAL_LOOKING["AWS access key ID"], REAL_LOOKING["Stripe live key"], "Vb2Nm4PwR9tQ", "Zk3q9XvL0pR7tW2yB5nM8cJ"]:
        assert secret not in text, (fmt, secret)
        assert json.dumps(secret)[1:-1] not in text


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_documents_without_credentials_stay_clean():
    rs = load_ruleset("apigov:secrets")
    for name in ["oai/v3.0/petstore-expanded.yaml", "redocly/museum.yaml", "oai/v2.0/json/petstore.json", "oai/v3.0/uspto.yaml"]:
        assert lint_file(str(CORPUS / name), rs).results == [], name
