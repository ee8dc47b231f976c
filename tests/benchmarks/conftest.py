from datetime import date

import pytest

from demo.city import CityGenerator, generate_city
from demo.factories import TenantFactory

YEAR = date.today().year - 1


@pytest.fixture
def small_city(db):
    """A generated city of 40 communities of every profile (the benchmarks' own generator), written in
    this process."""
    tenant = TenantFactory(name="小基准市", code="bench-small")
    generate_city(CityGenerator(40, YEAR, seed=7), tenant, processes=1)
    return tenant
