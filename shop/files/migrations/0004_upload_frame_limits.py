from django.db import migrations, models

# Frames and pixels decoded over all frames of an animation, per seeded context.
LIMITS = {
    "profile": (100, 16_000_000),
    "product": (300, 25_000_000),
    "review": (50, 20_000_000),
    "progress": (50, 20_000_000),
    "qa": (50, 20_000_000),
}


def seed(apps, schema_editor):
    FileUploadConfig = apps.get_model("files", "FileUploadConfig")
    for context, (max_frames, max_total_pixels) in LIMITS.items():
        FileUploadConfig.objects.filter(context=context).update(max_frames=max_frames, max_total_pixels=max_total_pixels)


class Migration(migrations.Migration):
    dependencies = [("files", "0003_uploadedfile_purged_at_dedupe_by_visibility")]

    operations = [
        migrations.AddField(
            model_name="fileuploadconfig",
            name="max_frames",
            field=models.PositiveIntegerField(
                blank=True, help_text="Frames of an animated GIF/PNG/WebP; empty = the service ceiling (300).", null=True
            ),
        ),
        migrations.AddField(
            model_name="fileuploadconfig",
            name="max_total_pixels",
            field=models.PositiveBigIntegerField(
                blank=True,
                help_text="Pixels decoded over all frames of an animation (width x height per frame, summed); "
                "empty = the service ceiling (25,000,000).",
                null=True,
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
