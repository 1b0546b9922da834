from django.urls import path

import shop.catalog.converters  # noqa: F401 - registers the <product:...> converter
from shop.catalog import apis, staff_apis

app_name = "catalog"

urlpatterns = [
    # Public
    path("products", apis.ProductListApi.as_view(), name="product-list"),
    path("products/search", apis.ProductSearchApi.as_view(), name="product-search"),
    path("products/search/suggestions", apis.ProductSuggestionsApi.as_view(), name="product-suggestions"),
    path("products/featured", apis.ProductFeaturedApi.as_view(), name="product-featured"),
    path("products/by-skin-type/<str:skin_type>", apis.ProductBySkinTypeApi.as_view(), name="product-by-skin-type"),
    path("products/<product:product_id>/related", apis.ProductRelatedApi.as_view(), name="product-related"),
    path("products/<str:lookup>", apis.ProductDetailApi.as_view(), name="product-detail"),
    path("categories", apis.CategoryTreeApi.as_view(), name="category-tree"),
    path("categories/<str:slug>/products", apis.CategoryProductsApi.as_view(), name="category-products"),
    path("brands", apis.BrandListApi.as_view(), name="brand-list"),
    # Staff
    path("staff/catalog/products", staff_apis.StaffProductListCreateApi.as_view(), name="staff-product-list"),
    path(
        "staff/catalog/products/bulk-update",
        staff_apis.StaffProductBulkUpdateApi.as_view(),
        name="staff-product-bulk-update",
    ),
    path(
        "staff/catalog/products/bulk-delete",
        staff_apis.StaffProductBulkDeleteApi.as_view(),
        name="staff-product-bulk-delete",
    ),
    path(
        "staff/catalog/products/<int:product_id>",
        staff_apis.StaffProductDetailApi.as_view(),
        name="staff-product-detail",
    ),
    path(
        "staff/catalog/products/<int:product_id>/media",
        staff_apis.StaffProductMediaApi.as_view(),
        name="staff-product-media",
    ),
    path(
        "staff/catalog/products/<int:product_id>/stock-adjustments",
        staff_apis.StaffProductStockAdjustmentsApi.as_view(),
        name="staff-product-stock-adjustments",
    ),
    path(
        "staff/catalog/products/<int:product_id>/media/<int:media_id>",
        staff_apis.StaffProductMediaDetailApi.as_view(),
        name="staff-product-media-detail",
    ),
    path("staff/catalog/categories", staff_apis.StaffCategoryListCreateApi.as_view(), name="staff-category-list"),
    path(
        "staff/catalog/categories/reorder",
        staff_apis.StaffCategoryReorderApi.as_view(),
        name="staff-category-reorder",
    ),
    path(
        "staff/catalog/categories/<int:category_id>",
        staff_apis.StaffCategoryDetailApi.as_view(),
        name="staff-category-detail",
    ),
]
