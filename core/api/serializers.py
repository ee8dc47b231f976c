from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from core import privacy
from core.models import ApiToken, Job, Unit
from core.validators import bound_messages


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are the caller's write scope: an id the caller cannot see is
    refused as bad input of that field (400), exactly like an id that does not exist."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None or not hasattr(queryset, "within_scope"):
            return queryset
        return queryset.within_scope(request.user)


class ScopedModelSerializer(serializers.ModelSerializer):
    """Base serializer: scoped foreign-key choices, the model's own `clean()` rules applied so the
    API refuses exactly what the forms refuse, with the same Chinese messages keyed by field, and
    the model's personal fields masked for callers who may not see them whole (core.privacy)."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        messages = bound_messages(model_field)
        if messages:
            kwargs["error_messages"] = {**kwargs.get("error_messages", {}), **messages}
        return field_class, kwargs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        fields = privacy.personal_fields(type(instance))
        # Without a request there is nobody to show personal data to: masked.
        if fields and not privacy.sees_personal_data(getattr(request, "user", None), instance):
            for name, mask in fields.items():
                if data.get(name):
                    data[name] = mask(data[name])
        return data

    def get_validators(self):
        # Unique-together checks are the model's own (validate_constraints/clean, run below), so
        # their messages and field keys match the forms'.
        return []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = model(**{k: v for k, v in attrs.items() if not _is_many(model, k)})
        if self.instance is not None:
            instance = self.instance
            for key, value in attrs.items():
                if not _is_many(model, key):
                    setattr(instance, key, value)
        try:
            instance.clean()
            instance.validate_constraints()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs


def _is_many(model, name: str) -> bool:
    field = model._meta.get_field(name)
    return field.many_to_many or field.one_to_many


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "code", "tier", "parent", "zone"]


class JobSerializer(serializers.ModelSerializer):
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "kind", "state", "done", "total", "errors", "created_at", "finished_at", "result_url"]

    def get_result_url(self, job) -> str | None:
        if not job.result:
            return None
        return self.context["request"].build_absolute_uri(reverse("api:job-result", args=[job.pk]))


class JobCreatedSerializer(serializers.Serializer):
    job = serializers.IntegerField()


class ApiTokenSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(read_only=True, help_text="令牌的前 8 个字符,用于辨认")

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields
