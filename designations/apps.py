from django.apps import AppConfig


class DesignationsConfig(AppConfig):
    name = "designations"
    verbose_name = "创建活动与称号"

    def ready(self):
        from . import exports  # noqa: F401  registers the register of designations
