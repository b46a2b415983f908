"""Fill the stored journey-events table from the records already in the database.

Databases made before the services stored their events hold records but no events; this rebuilds
the table once, from the historical models. A new database has no records and nothing happens.
"""

from django.db import migrations

from openmash.journey.rebuild import rebuild_table


def fill(apps, schema_editor):
    has_records = (
        apps.get_model("front_door", "Contact").objects.exists()
        or apps.get_model("casework", "Referral").objects.exists()
    )
    if has_records and not apps.get_model("core", "JourneyEvent").objects.exists():
        rebuild_table(registry=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("front_door", "0002_contact_referrer_agency_agencycontribution_and_more"),
        ("casework", "0001_initial"),
        ("protection", "0001_initial"),
        ("people", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
