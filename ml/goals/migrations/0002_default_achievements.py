"""The achievements the shop starts with (admins add more in the admin)."""

from django.db import migrations

DEFAULTS = [
    ("first-analysis", "First skin analysis", "ការវិភាគស្បែកលើកដំបូង",
     "You finished your first photo skin analysis.", "អ្នកបានបញ្ចប់ការវិភាគស្បែកតាមរូបថតលើកដំបូងរបស់អ្នក។",
     "skin_analyses", 1),
    ("first-photo-review", "First review with photos", "ការវាយតម្លៃដំបូងជាមួយរូបថត",
     "Your first review with photos is published.", "ការវាយតម្លៃដំបូងរបស់អ្នកដែលមានរូបថតត្រូវបានផ្សព្វផ្សាយ។",
     "reviews_with_photos", 1),
    ("helpful-reviewer", "Helpful reviewer", "អ្នកវាយតម្លៃដែលមានប្រយោជន៍",
     "Your reviews were marked helpful 10 times.", "ការវាយតម្លៃរបស់អ្នកត្រូវបានគេសម្គាល់ថាមានប្រយោជន៍ ១០ ដង។",
     "helpful_votes", 10),
    ("journal-streak-4", "4-week journal streak", "កំណត់ហេតុជាប់គ្នា ៤ សប្តាហ៍",
     "You wrote your progress journal 4 weeks in a row.", "អ្នកបានសរសេរកំណត់ហេតុវឌ្ឍនភាពរបស់អ្នក ៤ សប្តាហ៍ជាប់ៗគ្នា។",
     "journal_week_streak", 4),
    ("goal-reached", "Goal reached", "សម្រេចគោលដៅ",
     "You reached one of your skin goals.", "អ្នកបានសម្រេចគោលដៅស្បែកមួយរបស់អ្នក។",
     "goals_reached", 1),
    ("five-analyses", "Five skin analyses", "ការវិភាគស្បែកប្រាំដង",
     "You finished five skin analyses: your trends are getting clear.",
     "អ្នកបានបញ្ចប់ការវិភាគស្បែកប្រាំដង៖ និន្នាការរបស់អ្នកកាន់តែច្បាស់។",
     "skin_analyses", 5),
]  # fmt: skip


def create(apps, schema_editor):
    Achievement = apps.get_model("goals", "Achievement")
    for order, (key, name, name_km, description, description_km, metric, threshold) in enumerate(DEFAULTS):
        Achievement.objects.update_or_create(
            key=key,
            defaults={"name": name, "name_km": name_km, "description": description,
                      "description_km": description_km, "metric": metric, "threshold": threshold,
                      "sort_order": order * 10},
        )  # fmt: skip


def remove(apps, schema_editor):
    apps.get_model("goals", "Achievement").objects.filter(key__in=[row[0] for row in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("goals", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
