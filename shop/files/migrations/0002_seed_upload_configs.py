from django.db import migrations

MB = 1024 * 1024
IMAGES = ["image/jpeg", "image/png", "image/webp"]
IMAGE_EXT = ["jpg", "jpeg", "png", "webp"]

CONFIGS = [
    dict(
        context="profile", description="User profile pictures and banners", max_file_size=5 * MB,
        allowed_mime_types=IMAGES + ["image/gif"], allowed_extensions=IMAGE_EXT + ["gif"],
        max_width=2000, max_height=2000, min_width=100, min_height=100,
        max_files_per_upload=2, max_files_per_user=3, max_total_size_per_user=50 * MB,
        thumbnail_sizes={"small": [150, 150], "medium": [300, 300], "large": [600, 600]},
        storage_path="uploads/profiles/",
    ),
    dict(
        context="product", description="Product photos, videos, and media content", max_file_size=20 * MB,
        allowed_mime_types=IMAGES + ["image/gif", "video/mp4", "video/webm"],
        allowed_extensions=IMAGE_EXT + ["gif", "mp4", "webm"],
        max_width=4000, max_height=4000, min_width=300, min_height=300,
        max_files_per_upload=10, max_files_per_user=None, max_total_size_per_user=None,
        thumbnail_sizes={"thumbnail": [100, 100], "small": [300, 300], "medium": [600, 600], "large": [1200, 1200]},
        storage_path="uploads/products/", staff_only=True,
    ),
    dict(
        context="review", description="Customer review photos showing product results", max_file_size=10 * MB,
        allowed_mime_types=IMAGES, allowed_extensions=IMAGE_EXT,
        max_width=3000, max_height=3000, min_width=300, min_height=300,
        max_files_per_upload=8, max_files_per_user=100, max_total_size_per_user=200 * MB,
        thumbnail_sizes={"thumbnail": [150, 150], "small": [400, 400], "medium": [800, 800]},
        storage_path="uploads/reviews/", allow_private=True,
    ),
    dict(
        context="progress", description="Skincare progress photos for tracking treatment results",
        max_file_size=10 * MB, allowed_mime_types=IMAGES, allowed_extensions=IMAGE_EXT,
        max_width=3000, max_height=3000, min_width=300, min_height=300,
        max_files_per_upload=5, max_files_per_user=500, max_total_size_per_user=500 * MB,
        thumbnail_sizes={"thumbnail": [150, 150], "small": [400, 400], "medium": [800, 800]},
        storage_path="uploads/progress/", is_public=False, allow_private=True,
    ),
    dict(
        context="qa", description="Photos and videos for product questions and answers", max_file_size=8 * MB,
        allowed_mime_types=IMAGES + ["video/mp4"], allowed_extensions=IMAGE_EXT + ["mp4"],
        max_width=2500, max_height=2500, min_width=200, min_height=200,
        max_files_per_upload=3, max_files_per_user=50, max_total_size_per_user=100 * MB,
        thumbnail_sizes={"thumbnail": [150, 150], "small": [300, 300]},
        storage_path="uploads/qa/",
    ),
]


def seed(apps, schema_editor):
    FileUploadConfig = apps.get_model("files", "FileUploadConfig")
    for config in CONFIGS:
        FileUploadConfig.objects.update_or_create(context=config["context"], defaults=config)


def unseed(apps, schema_editor):
    apps.get_model("files", "FileUploadConfig").objects.filter(context__in=[c["context"] for c in CONFIGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("files", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
