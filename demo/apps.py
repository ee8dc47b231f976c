from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and test data: the factories of every record type, the city generator that the demo, the
    benchmarks and the drills share, and the `seed_demo` command. No models, no URLs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "演示数据"
