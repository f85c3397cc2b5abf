"""The Docker-free local stack: moto for DynamoDB and S3, an API Gateway-like front.

template.yaml is the single source of truth: routes, tables, buckets and the
functions' environment are all read from it (`local.template`), so functions
added to the template are served without touching this package.

Entry points: `python -m local.stack` (the stack), `python -m local.token`
(a token the stack accepts), `python -m local.sam_env` (the `--env-vars` file
for `sam local`).
"""
