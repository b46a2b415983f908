# FormDraft moved to core so that every long form can keep drafts; the table stays where it is.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("front_door", "0006_public_report_attempts_and_subject_age"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="formdraft", name="form_draft_once"),
                migrations.DeleteModel(name="FormDraft"),
            ],
            database_operations=[],
        ),
    ]
