from django.db import migrations, models
from django.db.models import IntegerField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast


def target_year_from_card(apps, schema_editor):
    """Each publication's target year as its card published it."""
    Publication = apps.get_model("publications", "Publication")
    Publication.objects.exclude(card={}).update(
        target_year=Cast(KT("card__pledge__target_year"), IntegerField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0018_english_msgids"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="target_year",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="target year"
            ),
        ),
        migrations.RunPython(target_year_from_card, migrations.RunPython.noop),
    ]
