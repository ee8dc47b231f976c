"""Enrolment and Designation move here from the assessments app. Their tables keep their names
(`db_table`), so this changes the migration state only; nothing in the database moves.
"""

import core.validators
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('communities', '0004_indicator_facts'),
        ('core', '0005_export_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('assessments', '0007_indicator_evidence'),
        ('standards', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Designation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000, message='年度不能早于2000年。'), core.validators.year_not_in_future], verbose_name='年度')),
                        ('title', models.CharField(choices=[('qualified', '合格'), ('standardized', '规范化'), ('model', '示范'), ('premium', '精品'), ('model_district', '示范区')], max_length=20, verbose_name='称号')),
                        ('issued_on', models.DateField(verbose_name='授予日期')),
                        ('valid_until', models.DateField(verbose_name='有效期至')),
                        ('revoked', models.BooleanField(default=False, verbose_name='已撤销')),
                        ('revoked_on', models.DateField(blank=True, null=True, verbose_name='撤销日期')),
                        ('revoked_reason', models.TextField(blank=True, verbose_name='撤销原因')),
                        ('code', models.CharField(max_length=16, unique=True, verbose_name='核验码')),
                        ('renewal_reminded_on', models.DateField(blank=True, null=True, verbose_name='到期提醒日期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('community', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='designations', to='communities.community', verbose_name='社区')),
                        ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='授予人')),
                        ('scope_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit', verbose_name='所属单位')),
                        ('self_check', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='designation', to='assessments.selfcheck', verbose_name='所依据的自查')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='designations', to='core.unit', verbose_name='区县(示范区)')),
                    ],
                    options={
                        'verbose_name': '称号',
                        'verbose_name_plural': '称号',
                        'db_table': 'assessments_designation',
                        'ordering': ['-year', 'scope_unit__path', 'pk'],
                        'indexes': [models.Index(fields=['year', 'title'], name='assessments_year_63339b_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('community__isnull', False), ('unit__isnull', False), _connector='OR'), name='designation_has_a_holder')],
                    },
                ),
                migrations.CreateModel(
                    name='Enrolment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000, message='年度不能早于2000年。'), core.validators.year_not_in_future], verbose_name='年度')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='确定时间')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='communities.community', verbose_name='社区')),
                        ('enrolled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确定人')),
                    ],
                    options={
                        'verbose_name': '创建活动名单',
                        'verbose_name_plural': '创建活动名单',
                        'db_table': 'assessments_enrolment',
                        'ordering': ['-year', 'community__unit__path', 'community__name'],
                        'constraints': [models.UniqueConstraint(fields=('community', 'year'), name='enrolment_one_per_year')],
                    },
                ),
            ],
        ),
        move_content_types("assessments", "designations", ["enrolment", "designation"]),
    ]
