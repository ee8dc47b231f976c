"""Operations that migrations share (imported by migration files, so changed only with care)."""

from django.db import migrations


def move_content_types(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """For a model moved from `old_app` to `new_app` with its table: its content type (and so its
    permissions and admin log entries) follows it. A database migrated from scratch has none yet;
    Django makes them after `migrate`."""

    def move(apps, old, new):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not ContentType.objects.filter(app_label=new, model=model).exists():
                ContentType.objects.filter(app_label=old, model=model).update(app_label=new)

    return migrations.RunPython(
        lambda apps, schema_editor: move(apps, old_app, new_app),
        lambda apps, schema_editor: move(apps, new_app, old_app),
    )
