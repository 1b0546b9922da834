from django.conf import settings
from django.core.management.base import BaseCommand

from shop.orders.services import orders_expire_unpaid


class Command(BaseCommand):
    help = "Cancel card orders left unpaid for ORDER_UNPAID_TIMEOUT_MINUTES (stock and coupon uses return)."

    def handle(self, *args, **options):
        expired = orders_expire_unpaid()
        minutes = settings.ORDER_UNPAID_TIMEOUT_MINUTES
        self.stdout.write(f"Cancelled {len(expired)} order(s) unpaid for more than {minutes} minutes.")
        for number in expired:
            self.stdout.write(f"  {number}")
