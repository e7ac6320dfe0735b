"""Tenant partitions: every key of a tenant's data starts with its partition, and the tenant can be read back."""
from __future__ import annotations

import pytest

from chalicelib.core import keys


@pytest.mark.parametrize("pk", ["T#t1", "T#t1#PATCH", "T#t1#RUN#0190ab"])
def test_tenant_of_reads_the_tenant_back_from_its_partitions(pk):
    assert keys.tenant_of(pk) == "t1"
    assert keys.tenant_of(keys.tenant_pk("t1")) == "t1"


@pytest.mark.parametrize("pk", ["TENANTS", "A#t1", "T#", "HOST#x"])
def test_tenant_of_refuses_keys_outside_tenant_partitions(pk):
    with pytest.raises(ValueError):
        keys.tenant_of(pk)
