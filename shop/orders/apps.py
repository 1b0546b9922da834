from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shop.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self):
        from shop import dashboard_panels

        dashboard_panels.register()

        from shop.orders.demo import seed_coupons, seed_guest_orders, seed_orders, seed_replenishment
        from skincare.demo import register_demo_step

        register_demo_step("coupons", 31, seed_coupons)
        register_demo_step("orders", 32, seed_orders)
        register_demo_step("guest orders", 33, seed_guest_orders)
        register_demo_step("replenishment", 34, seed_replenishment)

        from shop.orders import invariants

        invariants.register()

        from shop.orders import list_cache, receivers

        list_cache.connect()
        from skincare import events

        events.user_email_verified.connect(receivers.on_email_verified, dispatch_uid="orders-claim-guest-orders")
