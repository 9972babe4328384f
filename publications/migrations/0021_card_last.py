"""The snapshot's JSON moves to the end of each row: SQLite stores a row's columns in order,
so every aggregate over the columns lists read (stage, totals) read through each card's
overflow pages while it stood before them. Copied, not rebuilt: the snapshots are the
public record."""

import django.core.serializers.json
from django.db import migrations, models
from django.db.models import F


def copy(apps, schema_editor):
    apps.get_model("publications", "Publication").objects.update(snapshot=F("card"))


def copy_back(apps, schema_editor):
    apps.get_model("publications", "Publication").objects.update(card=F("snapshot"))


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0020_card_publications_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="snapshot",
            field=models.JSONField(
                default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder
            ),
        ),
        migrations.RunPython(copy, copy_back),
        migrations.RemoveField(model_name="publication", name="card"),
        migrations.RenameField(model_name="publication", old_name="snapshot", new_name="card"),
        migrations.AlterField(
            model_name="publication",
            name="card",
            field=models.JSONField(
                default=dict,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                help_text="The card as published (publications.snapshots), with its shape version.",
                verbose_name="published card",
            ),
        ),
    ]
