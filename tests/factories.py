import datetime

import factory

from communities.models import Community
from core.models import Tenant, Unit, User
from core.roles import Role, Tier

PASSWORD = "test-pass-2026!"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"测试市{n}")
    code = factory.Sequence(lambda n: f"city-{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    tenant = factory.SubFactory(TenantFactory)
    parent = None
    tier = Tier.CITY
    name = factory.LazyAttribute(lambda o: o.tenant.name)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    parent = factory.SubFactory(CityFactory)
    tenant = factory.LazyAttribute(lambda o: o.parent.tenant)
    tier = Tier.DISTRICT
    zone = Unit.Zone.CENTRAL
    name = factory.Sequence(lambda n: f"第{n}区")


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    parent = factory.SubFactory(DistrictFactory)
    tenant = factory.LazyAttribute(lambda o: o.parent.tenant)
    tier = Tier.TOWN
    name = factory.Sequence(lambda n: f"第{n}镇")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    unit = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"幸福{n}社区")
    kind = Community.Kind.URBAN
    subtype = Community.Subtype.ORDINARY
    households = 2400
    residents = 6800
    established_on = datetime.date(2010, 5, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    unit = factory.SubFactory(TownFactory)
    tenant = factory.LazyAttribute(lambda o: o.unit.tenant)
    role = Role.TOWN_CLERK

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
