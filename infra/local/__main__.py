"""`python -m infra.local`: run the whole product on this machine (see infra/local/server.py)."""
from infra.local.server import main

main()
