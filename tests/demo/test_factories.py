"""demo.factories: a factory for every record type, each of whose default output is valid."""

import pytest

from communities import records
from demo import factories


def test_every_record_type_has_a_factory():
    assert {rt.model for rt in records.all_types()} == set(factories.RECORD_FACTORIES)


CORE = [
    factories.TenantFactory,
    factories.CityFactory,
    factories.DistrictFactory,
    factories.TownFactory,
    factories.TownRecognitionFactory,
    factories.CommunityFactory,
    factories.RuralCommunityFactory,
    factories.VillageFactory,
    factories.UserFactory,
    factories.SelfCheckFactory,
    factories.EnrolmentFactory,
    factories.DesignationFactory,
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class",
    CORE + list(factories.RECORD_FACTORIES.values()),
    ids=lambda f: f.__name__,
)
def test_default_output_passes_full_clean(factory_class):
    obj = factory_class()
    obj.full_clean()
    assert type(obj).objects.filter(pk=obj.pk).exists()
    factory_class().full_clean()  # a second one beside it (sequences, one-per-year rules)


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", list(factories.RECORD_FACTORIES.values()), ids=lambda f: f.__name__)
def test_fast_build_reads_the_same_defaults(factory_class):
    made = factory_class()
    _, _, declared = factories._plan(factory_class)
    fast = factories.fast_build(factory_class, **{name: getattr(made, name) for name in declared})
    assert type(fast) is type(made) and fast.pk is None
    for field in made._meta.concrete_fields:
        if field.editable and field.name not in ("id", "created_at", "updated_at"):
            assert getattr(fast, field.attname) == getattr(made, field.attname), field.name


@pytest.mark.django_db
def test_fast_build_falls_back_to_build_for_what_is_not_given():
    member = factories.fast_build(factories.MemberFactory, name="王芳")
    assert member.pk is None and member.name == "王芳" and member.community.name
