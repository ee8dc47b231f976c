from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "平台基础"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import exports, security

        exports.register_builtin()
        user_logged_in.connect(security.IdleSessionMiddleware.logged_in, dispatch_uid="idle-session-start")
