"""StandardEdition and Indicator move here from the assessments app. Their tables keep their names
(`db_table`), so this changes the migration state only; nothing in the database moves.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0005_export_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('assessments', '0007_indicator_evidence'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StandardEdition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(help_text='如 U、R、V,或本市自定的代码。', max_length=20, verbose_name='标准代码')),
                        ('name', models.CharField(max_length=100, verbose_name='标准名称')),
                        ('version', models.PositiveIntegerField(verbose_name='版本号')),
                        ('applies_to', models.CharField(choices=[('urban', '城市社区'), ('rural', '农村社区(中心村型)'), ('village', '行政村(嘎查)')], max_length=10, verbose_name='适用社区类别')),
                        ('status', models.CharField(choices=[('draft', '草稿'), ('published', '已发布')], default='draft', max_length=10, verbose_name='状态')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='发布时间')),
                        ('levels', models.JSONField(default=list, verbose_name='等级(由低到高)')),
                        ('premium_min_score', models.DecimalField(decimal_places=2, default=95, help_text='农村社区“精品”:达到全部示范指标,且得分不低于此值。', max_digits=5, validators=[django.core.validators.MinValueValidator(0, message='得分须在0至100之间。'), django.core.validators.MaxValueValidator(100, message='得分须在0至100之间。')], verbose_name='精品最低得分')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('based_on', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='copies', to='standards.standardedition', verbose_name='复制自')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人')),
                        ('tenant', models.ForeignKey(blank=True, help_text='为空表示随平台提供、各市通用的标准。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='standard_editions', to='core.tenant', verbose_name='所属城市')),
                    ],
                    options={
                        'verbose_name': '标准版本',
                        'verbose_name_plural': '标准版本',
                        'db_table': 'assessments_standardedition',
                        'ordering': ['applies_to', 'code', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='Indicator',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=30, verbose_name='指标代码')),
                        ('category', models.CharField(max_length=20, verbose_name='类别')),
                        ('requirement', models.TextField(verbose_name='要求')),
                        ('check_kind', models.CharField(choices=[('auto', '自动判定'), ('evidence', '材料审核'), ('site', '实地评估')], max_length=10, verbose_name='判定方式')),
                        ('level', models.CharField(choices=[('qualified', '合格'), ('standardized', '规范化'), ('model', '示范'), ('premium', '精品')], max_length=20, verbose_name='适用等级')),
                        ('weight', models.DecimalField(decimal_places=2, default=1, max_digits=6, validators=[django.core.validators.MinValueValidator(0, message='权重不能为负数。')], verbose_name='权重')),
                        ('order', models.PositiveIntegerField(default=0, verbose_name='顺序')),
                        ('measure', models.CharField(blank=True, max_length=50, verbose_name='测量项')),
                        ('params', models.JSONField(blank=True, default=dict, verbose_name='测量参数')),
                        ('operator', models.CharField(blank=True, choices=[('gte', '≥ 不少于'), ('lte', '≤ 不超过'), ('eq', '= 等于'), ('between', '介于(含两端)'), ('all_in', '包含全部')], max_length=10, verbose_name='比较方式')),
                        ('threshold', models.JSONField(blank=True, null=True, verbose_name='阈值')),
                        ('advice', models.CharField(blank=True, help_text='可用占位符:{value} 实际值、{expected} 要求值、{missing} 差额或缺少的项目。', max_length=200, verbose_name='未达标提示')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('edition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='standards.standardedition', verbose_name='标准版本')),
                    ],
                    options={
                        'verbose_name': '指标',
                        'verbose_name_plural': '指标',
                        'db_table': 'assessments_indicator',
                        'ordering': ['edition', 'order', 'pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='standardedition',
                    constraint=models.UniqueConstraint(fields=('tenant', 'code', 'version'), name='edition_unique_version'),
                ),
                migrations.AddConstraint(
                    model_name='standardedition',
                    constraint=models.UniqueConstraint(condition=models.Q(('tenant__isnull', True)), fields=('code', 'version'), name='edition_unique_shipped_version'),
                ),
                migrations.AddConstraint(
                    model_name='standardedition',
                    constraint=models.CheckConstraint(condition=models.Q(('premium_min_score__gte', 0), ('premium_min_score__lte', 100)), name='edition_premium_score_range'),
                ),
                migrations.AddConstraint(
                    model_name='indicator',
                    constraint=models.UniqueConstraint(fields=('edition', 'code'), name='indicator_unique_code_in_edition'),
                ),
                migrations.AddConstraint(
                    model_name='indicator',
                    constraint=models.CheckConstraint(condition=models.Q(('weight__gte', 0)), name='indicator_weight_not_negative'),
                ),
            ],
        ),
        move_content_types("assessments", "standards", ["standardedition", "indicator"]),
    ]
