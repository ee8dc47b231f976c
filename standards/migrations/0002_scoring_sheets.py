"""Editions become scoring sheets (docs/scoring.md): an indicator's weight becomes its points, and it
gains its place on the sheet, method, scoring rule, veto levels and bonus flag; an edition gains its
levels' minimum scores and a bonus cap in place of the rural 精品 score.

Every existing edition, shipped or a city's, published or draft, is converted so that it judges exactly
as before (`standards.shipped.sheet_from_legacy`): all-or-nothing items for their weight, each a veto
item of its level and the levels above, no minimum score but 精品's. Published editions stay published.
"""

import django.core.validators
from django.db import migrations, models

from standards import shipped

METHOD_BY_CHECK = shipped.LEGACY_METHODS


def convert(apps, schema_editor):
    StandardEdition = apps.get_model("standards", "StandardEdition")
    Indicator = apps.get_model("standards", "Indicator")
    for edition in StandardEdition.objects.all():
        levels = list(edition.levels or [])
        StandardEdition.objects.filter(pk=edition.pk).update(
            min_scores=shipped.legacy_min_scores(levels, edition.premium_min_score)
        )
        for indicator in Indicator.objects.filter(edition=edition):
            Indicator.objects.filter(pk=indicator.pk).update(
                section=[indicator.category],
                method=METHOD_BY_CHECK.get(indicator.check_kind, "system"),
                scoring="all_or_nothing",
                scoring_params={},
                veto=shipped.legacy_veto(levels, indicator.level),
                bonus=False,
            )


def restore(apps, schema_editor):
    StandardEdition = apps.get_model("standards", "StandardEdition")
    for edition in StandardEdition.objects.all():
        premium = (edition.min_scores or {}).get("premium", 95)
        StandardEdition.objects.filter(pk=edition.pk).update(premium_min_score=premium)


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="indicator", name="indicator_weight_not_negative"),
        migrations.RenameField(model_name="indicator", old_name="weight", new_name="points"),
        migrations.AlterField(
            model_name="indicator",
            name="points",
            field=models.DecimalField(
                decimal_places=2,
                default=1,
                max_digits=6,
                validators=[django.core.validators.MinValueValidator(0, message="分值不能为负数。")],
                verbose_name="分值",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(condition=models.Q(points__gte=0), name="indicator_points_not_negative"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="section",
            field=models.JSONField(blank=True, default=list, verbose_name="所属栏目"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="method",
            field=models.CharField(
                choices=[
                    ("system", "系统自动"),
                    ("documents", "材料审核"),
                    ("inspection", "实地察看"),
                    ("forum", "座谈会"),
                    ("survey", "问卷调查"),
                    ("satisfaction", "满意度测评"),
                ],
                default="system",
                max_length=20,
                verbose_name="考评方法",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="scoring",
            field=models.CharField(
                choices=[
                    ("all_or_nothing", "达标得满分"),
                    ("proportional", "按比例得分"),
                    ("deduction", "缺项扣分"),
                    ("graded", "评审打分"),
                    ("bands", "分档得分"),
                ],
                default="all_or_nothing",
                max_length=20,
                verbose_name="计分规则",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="scoring_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="计分参数"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="veto",
            field=models.JSONField(blank=True, default=list, verbose_name="一票否决的等级"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="bonus",
            field=models.BooleanField(default=False, verbose_name="加分项"),
        ),
        migrations.AddField(
            model_name="standardedition",
            name="min_scores",
            field=models.JSONField(
                blank=True, default=dict, help_text='如 {"qualified": 70, "model": 90}。', verbose_name="各等级最低得分"
            ),
        ),
        migrations.AddField(
            model_name="standardedition",
            name="bonus_cap",
            field=models.DecimalField(
                decimal_places=2,
                default=5,
                help_text="加分项合计最多计入的分数。",
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(0, message="加分上限须在0至100之间。"),
                    django.core.validators.MaxValueValidator(100, message="加分上限须在0至100之间。"),
                ],
                verbose_name="加分上限",
            ),
        ),
        migrations.AddConstraint(
            model_name="standardedition",
            constraint=models.CheckConstraint(
                condition=models.Q(bonus_cap__gte=0, bonus_cap__lte=100), name="edition_bonus_cap_range"
            ),
        ),
        migrations.RunPython(convert, restore),
        migrations.RemoveConstraint(model_name="standardedition", name="edition_premium_score_range"),
        migrations.RemoveField(model_name="standardedition", name="premium_min_score"),
    ]
