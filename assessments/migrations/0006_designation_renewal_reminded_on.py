from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0005_review_and_designation'),
    ]

    operations = [
        migrations.AddField(
            model_name='designation',
            name='renewal_reminded_on',
            field=models.DateField(blank=True, null=True, verbose_name='到期提醒日期'),
        ),
    ]
