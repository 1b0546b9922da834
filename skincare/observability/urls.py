from django.urls import path

from skincare.observability.staff_apis import StaffFailedTaskListApi

urlpatterns = [
    path("staff/tasks/failures", StaffFailedTaskListApi.as_view(), name="staff-failed-tasks"),
]
