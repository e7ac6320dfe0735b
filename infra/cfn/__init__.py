"""CloudFormation rendering of `infra/definition.py`, one module per part of the stack; `infra/template.py` assembles them."""
